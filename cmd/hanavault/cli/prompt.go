package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ask writes question to w and reads one line from r. It returns
// ErrInterrupted when ctx ends first (a signal while waiting for the
// answer). Bytes are read one at a time so nothing after the line is
// consumed.
func ask(ctx context.Context, w io.Writer, r io.Reader, question string) (string, error) {
	fmt.Fprint(w, question)
	type answer struct {
		line string
		err  error
	}
	ch := make(chan answer, 1)
	go func() {
		var b strings.Builder
		buf := make([]byte, 1)
		for {
			n, err := r.Read(buf)
			if n == 1 {
				if buf[0] == '\n' {
					ch <- answer{line: b.String()}
					return
				}
				b.WriteByte(buf[0])
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				ch <- answer{line: b.String(), err: err}
				return
			}
		}
	}()
	select {
	case <-ctx.Done():
		fmt.Fprintln(w)
		return "", ErrInterrupted
	case a := <-ch:
		if a.err != nil {
			return "", fmt.Errorf("read the answer: %w", a.err)
		}
		return strings.TrimSpace(a.line), nil
	}
}
