// Package moto runs moto_server, an AWS API emulator, as a conformance
// backend for tests, and builds awsapi accounts that talk to it.
//
// moto is found through $MOTO_SERVER, then moto_server on PATH, then
// .venv/bin/moto_server in the repository (scripts/ensure-moto creates it).
// When none is found the test fails loudly; it never skips silently. Setting
// HANAVAULT_SKIP_MOTO=1 skips the moto tests explicitly; scripts/test and
// .ci/run unset it, so the suite always runs there.
//
// A package shares one server across its tests:
//
//	func TestMain(m *testing.M) { os.Exit(moto.Main(m)) }
//
//	func TestX(t *testing.T) {
//		s := moto.Shared(t)
//		acct := moto.Account(t, s)
//		...
//	}
//
// Start gives a test a server of its own instead.
package moto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/awsapi"
	"github.com/hanavault/hanavault/internal/testutil/awsenv"
)

// SkipEnv names the environment variable that skips moto tests explicitly
// when set to 1.
const SkipEnv = "HANAVAULT_SKIP_MOTO"

// startTimeout bounds how long a server may take to answer /moto-api/.
const startTimeout = 30 * time.Second

// notFoundMessage is the failure text when moto_server cannot be found.
const notFoundMessage = "moto_server not found on PATH: run scripts/ensure-moto or pip install 'moto[server]' (or set MOTO_SERVER to its path)"

// Server is a running moto_server bound to 127.0.0.1.
type Server struct {
	// URL is the server's base URL, http://127.0.0.1:PORT.
	URL string

	cmd  *exec.Cmd
	out  *tailBuffer
	done chan struct{} // closed when the process has exited
	stop sync.Once
}

// Start starts a moto_server for t and stops it when t ends. It fails t when
// moto_server cannot be found or does not come up within 30 s, and logs the
// server's output when t fails.
func Start(t testing.TB) *Server {
	t.Helper()
	skipIfAsked(t)
	s, err := start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("moto_server output (tail):\n%s", s.Output())
		}
		s.Stop()
	})
	return s
}

var shared struct {
	mu     sync.Mutex
	server *Server
	err    error
}

// Shared returns the package-wide server, starting it on first use. Use it
// together with Main, which stops the server after the tests. Tests sharing
// the server see each other's resources unless they Reset it or use
// distinct names.
func Shared(t testing.TB) *Server {
	t.Helper()
	skipIfAsked(t)
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.server == nil && shared.err == nil {
		shared.server, shared.err = start()
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	s := shared.server
	from := s.out.written()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("moto_server output during the test:\n%s", s.out.since(from))
		}
	})
	return s
}

// Main runs the tests of m and then stops the shared server, if one was
// started. Use it as os.Exit(moto.Main(m)) in TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.server != nil {
		shared.server.Stop()
	}
	return code
}

func skipIfAsked(t testing.TB) {
	if os.Getenv(SkipEnv) == "1" {
		t.Skipf("%s=1: moto conformance tests skipped on request", SkipEnv)
	}
}

// Find returns the path of moto_server: $MOTO_SERVER, moto_server on PATH,
// or .venv/bin/moto_server in the repository containing the working
// directory.
func Find() (string, error) {
	if p := os.Getenv("MOTO_SERVER"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("MOTO_SERVER=%s: %w", p, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("moto_server"); err == nil {
		return p, nil
	}
	if root, ok := repoRoot(); ok {
		p := filepath.Join(root, ".venv", "bin", "moto_server")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New(notFoundMessage)
}

// repoRoot walks up from the working directory to the directory holding go.mod.
func repoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// start finds moto_server and starts it on a free port, retrying with a new
// port when the chosen one was taken in the meantime.
func start() (*Server, error) {
	bin, err := Find()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for range 3 {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		s, err := launch(bin, port)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port for moto_server: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// launch starts bin on port and waits until it answers.
func launch(bin string, port int) (*Server, error) {
	out := &tailBuffer{max: 64 << 10}
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	cmd.Env = append(os.Environ(), "MOTO_IAM_LOAD_MANAGED_POLICIES=true")
	cmd.Stdout = out
	cmd.Stderr = out
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(startTimeout); err != nil {
		s.Stop()
		return nil, fmt.Errorf("moto_server (%s) on port %d: %w\noutput:\n%s", bin, port, err, out.String())
	}
	return s, nil
}

// waitReady polls /moto-api/ until it answers 200.
func (s *Server) waitReady(timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("exited before answering (%v)", s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("no answer on /moto-api/ within %v", timeout)
		case <-tick.C:
		}
	}
}

// Stop kills the server's process group and waits for it to exit. It is
// safe to call more than once.
func (s *Server) Stop() {
	s.stop.Do(func() {
		killProcessGroup(s.cmd, false)
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			killProcessGroup(s.cmd, true)
			<-s.done
		}
	})
}

// Reset drops every resource the server holds (POST /moto-api/reset).
func (s *Server) Reset() error {
	resp, err := http.Post(s.URL+"/moto-api/reset", "application/json", nil)
	if err != nil {
		return fmt.Errorf("reset moto_server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("reset moto_server: HTTP %d", resp.StatusCode)
	}
	return nil
}

// Output returns the tail of what the server printed.
func (s *Server) Output() string { return s.out.String() }

// Region is the region of accounts made by Account.
const Region = "eu-central-1"

// Account returns an awsapi.Account pointed at s: static credentials
// testing/testing, EndpointURL s.URL, region eu-central-1, one attempt per
// call (so a moto 500 shows at once instead of after retries). The AWS_*
// environment is replaced for the duration of t (awsenv.Isolate: empty
// config and credentials files, no profile, no IMDS), so a developer's real
// credentials or profile can never be used. It uses t.Setenv, so t must not
// be parallel.
func Account(t testing.TB, s *Server) *awsapi.Account {
	t.Helper()
	awsenv.Isolate(t)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	acct, err := awsapi.Load(context.Background(), awsapi.Config{Region: Region, EndpointURL: s.URL})
	if err != nil {
		t.Fatalf("load awsapi account for moto at %s: %v", s.URL, err)
	}
	return acct
}

// tailBuffer keeps the last max bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	max   int
	total int64 // bytes ever written
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	b.total += int64(len(p))
	if over := b.buf.Len() - b.max; over > 0 {
		b.buf.Next(over)
	}
	return len(p), nil
}

// written is the number of bytes ever written.
func (b *tailBuffer) written() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}

// since returns what was written after the first from bytes, as far as the
// buffer still holds it.
func (b *tailBuffer) since(from int64) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	held := b.buf.Bytes()
	start := int64(len(held)) - (b.total - from)
	if start < 0 {
		start = 0
	}
	return string(held[start:])
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
