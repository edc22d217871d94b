package ui

import (
	"image/color"
	"regexp"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/discover"
	"github.com/hanavault/hanavault/internal/memaws"
)

// screens drives a harness through every screen, calling visit on each.
func screens(t *testing.T, cfg Config, visit func(name string, h *harness)) {
	t.Helper()
	h := newHarness(t, destroyingEngine(), goodDiscovery(), cfg)
	visit("home", h)
	h.press("n")
	h.waitFocus(fieldSID)
	visit("form", h)
	h.press("esc", "down", "a")
	h.waitFor("plan", func() bool { return h.m.screen == scrPlan })
	visit("plan", h)
	h.press("p")
	visit("documents", h)
	h.press("enter")
	visit("document", h)
	h.press("esc", "esc", "a")
	visit("confirm", h)
	h.press("y")
	h.waitFor("run", func() bool { return h.m.run != nil && h.m.run.finished })
	visit("run", h)
	h.press("esc", "s")
	h.waitFor("status", func() bool { return h.m.screen == scrStatus })
	visit("status", h)
	h.press("d")
	h.waitFor("destroy", func() bool { return h.m.screen == scrDestroy })
	visit("destroy", h)
}

func TestEveryScreenFitsTheWindow(t *testing.T) {
	sizes := [][2]int{{80, 24}, {60, 20}, {120, 40}}
	screens(t, Config{Sandbox: true, SandboxReason: "No AWS credentials found, so this is the sandbox: an in-memory account kept in /home/basis/.local/state/hanavault/sandbox. Use --profile to work with AWS."},
		func(name string, h *harness) {
			for _, sz := range sizes {
				h.send(tea.WindowSizeMsg{Width: sz[0], Height: sz[1]})
				h.settle()
				lines := strings.Split(h.m.View().Content, "\n")
				if len(lines) > sz[1] {
					t.Errorf("%s at %dx%d: %d lines", name, sz[0], sz[1], len(lines))
				}
				for i, l := range lines {
					if w := lipgloss.Width(l); w > sz[0] {
						t.Errorf("%s at %dx%d: line %d is %d wide: %q", name, sz[0], sz[1], i, w, l)
					}
				}
				help := ansi.Strip(lines[len(lines)-1])
				full := sz[0] >= 80 && (strings.Contains(help, "ctrl+c") || strings.Contains(help, "q quit"))
				if !full && (sz[0] >= 80 || !strings.Contains(help, " • ")) {
					t.Errorf("%s at %dx%d: last line is not a help line: %q", name, sz[0], sz[1], help)
				}
			}
			h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
			h.settle()
		})
}

// colourSGR matches SGR sequences that set a colour.
var colourSGR = regexp.MustCompile(`\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m`)

func TestNoColorDrawsNoColour(t *testing.T) {
	screens(t, Config{NoColor: true}, func(name string, h *harness) {
		if name == "form" || name == "confirm" || name == "destroy" {
			return // huh fields; their colour is stripped by the program's Ascii profile (see the teatest flow)
		}
		if c := h.m.View().Content; colourSGR.MatchString(c) {
			t.Errorf("%s draws colour with NoColor: %q", name, colourSGR.FindString(c))
		}
	})
}

func TestColourByDefault(t *testing.T) {
	h := newHarness(t, appliedEngine(), goodDiscovery(), Config{})
	if !colourSGR.MatchString(h.m.View().Content) {
		t.Fatalf("home screen has no colour without NoColor")
	}
}

func TestLightAndDarkBackgrounds(t *testing.T) {
	h := newHarness(t, appliedEngine(), goodDiscovery(), Config{})
	if !h.m.st.isDark {
		t.Fatalf("default is not dark (no reply to the background query)")
	}
	dark := h.m.View().Content
	h.send(tea.BackgroundColorMsg{Color: color.White})
	if h.m.st.isDark {
		t.Fatalf("white background still dark")
	}
	light := h.m.View().Content
	if dark == light {
		t.Errorf("light and dark backgrounds draw the same colours")
	}
	h.press("n")
	h.waitFocus(fieldSID)
	lightForm := h.m.View().Content
	h.send(tea.BackgroundColorMsg{Color: color.Black})
	h.settle()
	if h.m.View().Content == lightForm {
		t.Errorf("the form did not change with the background")
	}
}

func TestHelpLineOnEveryScreen(t *testing.T) {
	want := map[string][]string{
		"home":      {"n new landscape", "q quit"},
		"form":      {"esc home (keeps answers)", "ctrl+c quit"},
		"plan":      {"p policy documents", "a apply…", "esc back"},
		"documents": {"enter view", "esc back"},
		"document":  {"esc back"},
		"confirm":   {"esc cancel"},
		"run":       {"esc home"},
		"status":    {"a apply", "d destroy", "r refresh"},
		"destroy":   {"esc cancel"},
	}
	screens(t, Config{}, func(name string, h *harness) {
		lines := strings.Split(h.screen(), "\n")
		help := lines[len(lines)-1]
		for _, w := range want[name] {
			if !strings.Contains(help, w) {
				t.Errorf("%s help line %q lacks %q", name, help, w)
			}
		}
	})
}

func TestLongDiscoveredNamesFit(t *testing.T) {
	acct := memaws.New(memaws.Options{})
	disc := discover.New(acct, "eu-central-1")
	h := newHarness(t, planningEngine(), &fakeDiscovery{}, Config{Region: "eu-central-1"})
	h.m.cfg.Discovery = disc
	h.run(h.m.rediscover())
	h.waitFor("discovery", func() bool { return !h.m.disc.loading() })
	h.press("n")
	h.typeText("PRD")
	h.enterTo(fieldSource, fieldReplication, fieldOrigBucket, fieldOrigAlias, fieldReplBucket, fieldReplAlias,
		fieldEC2Role, fieldAdminRole)
	s := h.m.View().Content
	if !strings.Contains(ansi.Strip(s), "AWSReservedSSO_AdministratorAccess") {
		t.Fatalf("admin roles not listed:\n%s", ansi.Strip(s))
	}
	for i, l := range strings.Split(s, "\n") {
		if w := lipgloss.Width(l); w > 80 {
			t.Errorf("line %d is %d wide: %q", i, w, ansi.Strip(l))
		}
	}
}

func TestLongCallerARNWrapsOnHome(t *testing.T) {
	eng := appliedEngine()
	eng.identity.Arn = "arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_5e1f0c2a9b7d3e41/basis.admin"
	h := newHarness(t, eng, goodDiscovery(), Config{})
	s := h.m.View().Content
	for i, l := range strings.Split(s, "\n") {
		if w := lipgloss.Width(l); w > 80 {
			t.Errorf("line %d is %d wide: %q", i, w, ansi.Strip(l))
		}
	}
	if !strings.Contains(ansi.Strip(s), "basis.admin") {
		t.Errorf("the end of the caller ARN is lost:\n%s", ansi.Strip(s))
	}
}
