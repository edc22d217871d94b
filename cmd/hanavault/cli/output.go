package cli

import (
	"io"
	"sync"

	"github.com/hanavault/hanavault/internal/iostreams"
	"github.com/hanavault/hanavault/internal/report"
)

// outTheme is the theme for documents written to stdout.
func outTheme(ios *iostreams.IOStreams) report.Theme {
	if ios.ColorEnabled() {
		return report.ColorTheme(ios.HasDarkBackground())
	}
	return report.PlainTheme()
}

// errTheme is the theme for progress and notes written to stderr.
func errTheme(ios *iostreams.IOStreams) report.Theme {
	if ios.ErrColorEnabled() {
		return report.ColorTheme(ios.HasDarkBackground())
	}
	return report.PlainTheme()
}

// lockedWriter serialises writes from the event sink and the interrupt
// notice, which come from different goroutines.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
