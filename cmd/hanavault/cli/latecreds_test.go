package cli

import (
	"context"
	"testing"
)

// The bare wizard gets a fallback that opens the sandbox while the
// credential lookup goes on, with the sandbox's own hint flags; an explicit
// choice of account (a flag or credentials in the environment) gets none.
func TestWizardSandboxWhileLooking(t *testing.T) {
	h := newHarness(t).tty()
	if code, err := h.run(context.Background(), "--region", "eu-west-1"); code != 0 {
		t.Fatal(err)
	}
	cfg := h.wizards[0]
	if cfg.Fallback == nil {
		t.Fatal("the bare wizard has no sandbox fallback while the lookup runs")
	}
	if cfg.Sandbox || cfg.HintFlags != "" {
		t.Errorf("the looked-up session: sandbox %v, hint flags %q", cfg.Sandbox, cfg.HintFlags)
	}
	h.sandbox = true // what app.Open answers with SandboxWhileLooking
	s, err := cfg.Fallback(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	o := h.opened[len(h.opened)-1]
	if !o.SandboxWhileLooking || !o.AllowSandboxFallback || o.Region != "eu-west-1" {
		t.Errorf("the fallback opened %+v", o)
	}
	if !s.Sandbox || s.HintFlags != " --sandbox" || s.Engine == nil {
		t.Errorf("the fallback session: %+v", s)
	}

	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"--profile", []string{"--profile", "prod"}, nil},
		{"--sandbox", []string{"--sandbox"}, nil},
		{"--endpoint-url", []string{"--endpoint-url", "http://127.0.0.1:4566"}, nil},
		{"AWS_ENDPOINT_URL", nil, map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:4566"}},
		{"AWS_ACCESS_KEY_ID", nil, map[string]string{"AWS_ACCESS_KEY_ID": "AKIAEXAMPLE"}},
		{"AWS_PROFILE", nil, map[string]string{"AWS_PROFILE": "prod"}},
	} {
		h := newHarness(t).tty()
		for k, v := range tc.env {
			h.env[k] = v
		}
		if code, err := h.run(context.Background(), tc.args...); code != 0 {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if h.wizards[0].Fallback != nil {
			t.Errorf("%s: the wizard may show the sandbox before the account named is resolved", tc.name)
		}
	}
}
