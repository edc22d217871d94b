package moto

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

// recordingTB captures Fatal and Skip instead of ending the real test.
type recordingTB struct {
	testing.TB
	fatal, skip string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Fatal(args ...any) {
	r.fatal = fmt.Sprint(args...)
	runtime.Goexit()
}
func (r *recordingTB) Skipf(format string, args ...any) {
	r.skip = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// runTB runs f with a recordingTB in its own goroutine (Fatal and Skip end
// that goroutine, as they do a test).
func runTB(t *testing.T, f func(tb testing.TB)) *recordingTB {
	r := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

// noMoto hides every way of finding moto_server.
func noMoto(t *testing.T) {
	t.Setenv("MOTO_SERVER", "")
	t.Setenv("PATH", t.TempDir())
	t.Setenv(SkipEnv, "")
	t.Chdir(t.TempDir())
}

func TestStartFailsLoudlyWithoutMoto(t *testing.T) {
	noMoto(t)
	r := runTB(t, func(tb testing.TB) { Start(tb) })
	if !strings.Contains(r.fatal, "moto_server not found on PATH: run scripts/ensure-moto or pip install 'moto[server]'") {
		t.Errorf("Fatal message = %q", r.fatal)
	}
	if r.skip != "" {
		t.Errorf("skipped instead of failing: %q", r.skip)
	}
	r = runTB(t, func(tb testing.TB) { Shared(tb) })
	if !strings.Contains(r.fatal, "moto_server not found") {
		t.Errorf("Shared: Fatal message = %q", r.fatal)
	}
}

func TestSkipOnlyWhenAsked(t *testing.T) {
	noMoto(t)
	t.Setenv(SkipEnv, "1")
	r := runTB(t, func(tb testing.TB) { Start(tb) })
	if !strings.Contains(r.skip, SkipEnv+"=1") || r.fatal != "" {
		t.Errorf("skip %q fatal %q", r.skip, r.fatal)
	}
}

func TestFind(t *testing.T) {
	t.Run("MOTO_SERVER", func(t *testing.T) {
		noMoto(t)
		bin := filepath.Join(t.TempDir(), "moto_server")
		if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("MOTO_SERVER", bin)
		if got, err := Find(); err != nil || got != bin {
			t.Errorf("Find() = %q, %v; want %q", got, err, bin)
		}
		t.Setenv("MOTO_SERVER", bin+"-missing")
		if _, err := Find(); err == nil || !strings.Contains(err.Error(), "MOTO_SERVER") {
			t.Errorf("a wrong MOTO_SERVER gave %v", err)
		}
	})
	t.Run("PATH", func(t *testing.T) {
		noMoto(t)
		dir := t.TempDir()
		bin := filepath.Join(dir, "moto_server")
		if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		t.Setenv("PATH", dir)
		if got, err := Find(); err != nil || got != bin {
			t.Errorf("Find() = %q, %v; want %q", got, err, bin)
		}
	})
	t.Run("repository venv", func(t *testing.T) {
		noMoto(t)
		root := t.TempDir()
		bin := filepath.Join(root, ".venv", "bin", "moto_server")
		sub := filepath.Join(root, "internal", "pkg")
		for _, d := range []string{filepath.Dir(bin), sub} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		for f, data := range map[string]string{bin: "#!/bin/sh\n", filepath.Join(root, "go.mod"): "module x\n"} {
			if err := os.WriteFile(f, []byte(data), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		t.Chdir(sub)
		if got, err := Find(); err != nil || got != bin {
			t.Errorf("Find() = %q, %v; want %q", got, err, bin)
		}
	})
}

func TestLaunchReportsEarlyExit(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "moto_server")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'Address already in use' >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := launch(bin, 1)
	if err == nil || !strings.Contains(err.Error(), "exited before answering") || !strings.Contains(err.Error(), "Address already in use") {
		t.Errorf("launch error = %v", err)
	}
	if time.Since(start) > startTimeout/2 {
		t.Errorf("an exited server was waited for until the deadline")
	}
}

func TestServer(t *testing.T) {
	// A developer's real credentials and profile must not be used.
	t.Setenv("AWS_PROFILE", "does-not-exist")
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAREALKEY")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
	t.Setenv("AWS_REGION", "ap-southeast-2")

	s := Start(t)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q, want loopback", s.URL)
	}
	a := Account(t, s)
	if os.Getenv("AWS_ACCESS_KEY_ID") != "testing" || os.Getenv("AWS_PROFILE") != "" {
		t.Errorf("environment not isolated: key %q profile %q", os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_PROFILE"))
	}
	if a.Region() != Region {
		t.Errorf("Region() = %q, want %s", a.Region(), Region)
	}
	ctx := context.Background()
	id, err := a.STS().GetCallerIdentity(ctx)
	if err != nil || id.Account != "123456789012" {
		t.Fatalf("GetCallerIdentity = %+v, %v", id, err)
	}

	if err := a.S3(Region).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "hv-harness", LocationConstraint: Region}); err != nil {
		t.Fatal(err)
	}
	if err := s.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.S3(Region).HeadBucket(ctx, "hv-harness"); !cloud.IsCode(err, cloud.CodeNotFound) {
		t.Errorf("after Reset the bucket is still there: %v", err)
	}
	if !strings.Contains(s.Output(), "/moto-api/reset") {
		t.Errorf("server output not captured: %q", s.Output())
	}

	s.Stop()
	s.Stop() // idempotent
	select {
	case <-s.done:
	default:
		t.Fatal("process still running after Stop")
	}
	client := &http.Client{Timeout: time.Second}
	if resp, err := client.Get(s.URL + "/moto-api/"); err == nil {
		resp.Body.Close()
		t.Error("server still answers after Stop")
	}
}

func TestTailBuffer(t *testing.T) {
	b := &tailBuffer{max: 8}
	mark := b.written()
	fmt.Fprint(b, "abcdef")
	if got := b.since(mark); got != "abcdef" {
		t.Errorf("since = %q", got)
	}
	mark = b.written()
	fmt.Fprint(b, "ghijkl")
	if got := b.String(); got != "efghijkl" {
		t.Errorf("tail = %q, want the last 8 bytes", got)
	}
	if got := b.since(mark); got != "ghijkl" {
		t.Errorf("since = %q", got)
	}
	fmt.Fprint(b, "0123456789")
	if got := b.since(mark); got != "23456789" {
		t.Errorf("since, partly dropped = %q", got)
	}
}
