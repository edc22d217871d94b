package main

import (
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/vt"
	"github.com/creack/pty"
)

// firstFrame starts bin in a pseudo-terminal and returns how long it took
// until the screen showed any text.
func firstFrame(b *testing.B, bin string, env []string) time.Duration {
	return untilShown(b, bin, env, "")
}

// untilShown starts bin in a pseudo-terminal and returns how long it took
// until the screen showed want ("": any text).
func untilShown(b *testing.B, bin string, env []string, want string) time.Duration {
	b.Helper()
	cmd := exec.Command(bin)
	cmd.Env = env
	start := time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
	if err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = f.Close()
	}()
	emu := vt.NewEmulator(100, 30)
	var mu sync.Mutex
	shown := make(chan time.Duration, 1)
	go func() {
		buf := make([]byte, 32*1024)
		for {
			n, err := f.Read(buf)
			if n > 0 {
				mu.Lock()
				_, _ = emu.Write(buf[:n])
				txt := strings.TrimSpace(emu.String())
				mu.Unlock()
				if txt != "" && strings.Contains(txt, want) {
					select {
					case shown <- time.Since(start):
					default:
					}
				}
			}
			if err != nil {
				return
			}
		}
	}()
	go func() { _, _ = io.Copy(f, emu) }()
	select {
	case d := <-shown:
		return d
	case <-time.After(30 * time.Second):
		b.Fatal("no frame within 30 s")
		return 0
	}
}

// silentEndpoint is the URL of an HTTP endpoint on loopback that accepts
// connections and never answers, like an EC2 metadata endpoint behind a
// network that drops the replies.
func silentEndpoint(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = ln.Close() })
	go func() {
		var conns []net.Conn
		defer func() {
			for _, c := range conns {
				_ = c.Close()
			}
		}()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return "http://" + ln.Addr().String() + "/"
}

// held is an HTTP endpoint on loopback that accepts connections and holds
// them unanswered until release, then closes every connection at once.
type held struct {
	url      string
	mu       sync.Mutex
	open     map[net.Conn]bool
	accepted int
	released bool
}

// heldEndpoint starts a held endpoint, released when the test ends.
func heldEndpoint(tb testing.TB) *held {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	h := &held{url: "http://" + ln.Addr().String() + "/", open: map[net.Conn]bool{}}
	tb.Cleanup(func() {
		_ = ln.Close()
		h.release()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.accepted++
			if h.released {
				h.mu.Unlock()
				_ = c.Close()
				continue
			}
			h.open[c] = true
			h.mu.Unlock()
			go func() { // the client hangs up (its deadline passed)
				_, _ = io.Copy(io.Discard, c)
				h.mu.Lock()
				delete(h.open, c)
				h.mu.Unlock()
				_ = c.Close()
			}()
		}
	}()
	return h
}

// held is how many connections wait for an answer now; seen how many
// were accepted in all.
func (h *held) held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.open)
}

func (h *held) seen() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.accepted
}

// release closes the connections held and every later one at once.
func (h *held) release() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.released = true
	for c := range h.open {
		_ = c.Close()
	}
}

// BenchmarkFirstFrame measures the time from exec to the wizard's first
// frame in a pseudo-terminal (goal < 50 ms on a warm cache), without
// credentials: with the EC2 metadata endpoint disabled, and with one that
// accepts connections and never answers (a network that drops them). It
// also reports the time to the sandbox banner (ms-to-sandbox): at once
// without a metadata endpoint, after the wizard's grace period
// (ui.DefaultFallbackAfter) behind a silent one.
//
//	go test -run '^$' -bench FirstFrame -benchtime 5x ./cmd/hanavault
func BenchmarkFirstFrame(b *testing.B) {
	if runtime.GOOS == "windows" {
		b.Skip("no pseudo-terminals on Windows")
	}
	bin := filepath.Join(b.TempDir(), "hanavault")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	silent := silentEndpoint(b)
	for _, tc := range []struct {
		name string
		imds []string
	}{
		{"imds-disabled", []string{"AWS_EC2_METADATA_DISABLED=true"}},
		{"imds-silent", []string{"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + silent}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			state := b.TempDir()
			env := []string{"TERM=xterm-256color", "HOME=" + state, "HANAVAULT_STATE_DIR=" + state,
				"AWS_CONFIG_FILE=" + filepath.Join(state, "none"), "AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(state, "none")}
			env = append(env, tc.imds...)
			firstFrame(b, bin, env) // warm the page cache
			var total, sandbox time.Duration
			for i := 0; i < b.N; i++ {
				total += firstFrame(b, bin, env)
				sandbox += untilShown(b, bin, env, "SANDBOX")
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms-to-first-frame")
			b.ReportMetric(float64(sandbox.Milliseconds())/float64(b.N), "ms-to-sandbox")
		})
	}
}
