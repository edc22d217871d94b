package app

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hanavault/hanavault/internal/testutil/awsenv"
)

// isolateAWS points the SDK at empty configuration (awsenv.Isolate: no
// credentials, no profile, no region, no instance metadata) and HOME at an
// empty directory. Nothing can leave loopback.
func isolateAWS(t *testing.T) {
	t.Helper()
	t.Setenv("HOME", t.TempDir())
	awsenv.Isolate(t)
}

func TestDefaultStateDir(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		goos string
		want string
	}{
		{"override", map[string]string{"HANAVAULT_STATE_DIR": "/srv/hv", "XDG_STATE_HOME": "/x", "HOME": "/home/a"}, "linux", "/srv/hv"},
		{"xdg", map[string]string{"XDG_STATE_HOME": "/x", "HOME": "/home/a"}, "linux", filepath.Join("/x", "hanavault")},
		{"relative xdg is ignored", map[string]string{"XDG_STATE_HOME": "x/state", "HOME": "/home/a"}, "linux", filepath.Join("/home/a", ".local", "state", "hanavault")},
		{"home", map[string]string{"HOME": "/home/a"}, "darwin", filepath.Join("/home/a", ".local", "state", "hanavault")},
		{"windows", map[string]string{"LOCALAPPDATA": `C:\Users\a\AppData\Local`, "USERPROFILE": `C:\Users\a`}, "windows", filepath.Join(`C:\Users\a\AppData\Local`, "hanavault")},
		{"windows without LOCALAPPDATA", map[string]string{"USERPROFILE": "/users/a"}, "windows", filepath.Join("/users/a", ".local", "state", "hanavault")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultStateDir(func(k string) string { return tt.env[k] }, tt.goos)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := DefaultStateDir(func(string) string { return "" }, "linux"); err == nil || !strings.Contains(err.Error(), "--state-dir") {
		t.Errorf("no HOME: err %v, want advice to pass --state-dir", err)
	}
}

func TestSubcommandsNeverFallBack(t *testing.T) {
	isolateAWS(t)
	ctx := context.Background()
	env, err := Open(ctx, Options{StateDir: t.TempDir()})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if env.Sandbox || env.SandboxReason != "" {
		t.Fatal("a subcommand fell back to the sandbox")
	}
	_, err = env.Engine.Identity(ctx)
	if err == nil {
		t.Fatal("Identity succeeded without credentials")
	}
	if h := Hint(err, ""); !strings.Contains(h, "No AWS credentials") {
		t.Errorf("hint %q does not explain the missing credentials (error %v)", h, err)
	}
}

func TestWizardDoesNotFallBackWithAProfile(t *testing.T) {
	isolateAWS(t)
	_, err := Open(context.Background(), Options{StateDir: t.TempDir(), Profile: "nosuch", AllowSandboxFallback: true})
	if err == nil {
		t.Fatal("an unknown profile fell back to the sandbox")
	}
	if h := Hint(err, "nosuch"); !strings.Contains(h, `"nosuch" does not exist`) {
		t.Errorf("hint %q does not name the missing profile (error %v)", h, err)
	}
}

func TestSandboxRejectsEndpoint(t *testing.T) {
	_, err := Open(context.Background(), Options{StateDir: t.TempDir(), Sandbox: true, EndpointURL: "http://127.0.0.1:5000"})
	if err == nil || !strings.Contains(err.Error(), "--endpoint-url") {
		t.Errorf("err %v, want the conflict named", err)
	}
}
