// Package iostreams owns hanavault's terminal capability decisions: which
// standard streams are terminals, whether to prompt, whether to colour,
// whether to run in accessible mode (plain line-based prompts for screen
// readers and pipes), how wide the terminal is and whether its background
// is dark. Data goes to Out, people-facing progress and prompts to ErrOut.
//
// It imports no other hanavault package.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/term"
)

// DefaultWidth is the width assumed when Out is not a terminal.
const DefaultWidth = 80

// IOStreams are the standard streams and what they are attached to.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// Accessible asks for plain, numbered, line-based interaction instead
	// of full-screen programs (set by --accessible or ACCESSIBLE=1).
	Accessible bool

	inTTY, outTTY, errTTY bool
	noColor               bool // --no-color, NO_COLOR or TERM=dumb
	width                 int  // 0: ask the terminal
	environ               []string

	darkOnce sync.Once
	dark     bool
	profile  *colorprofile.Profile // forced by SetColorProfile (tests)
}

// fileTTY reports whether v is an *os.File attached to a terminal.
func fileTTY(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(f.Fd())
}

// System returns the process's streams, with terminal, colour and
// accessibility decided from the streams and the environment.
func System() *IOStreams {
	return newStreams(os.Stdin, os.Stdout, os.Stderr, os.Environ())
}

func newStreams(in io.Reader, out, errOut io.Writer, environ []string) *IOStreams {
	s := &IOStreams{
		In: in, Out: out, ErrOut: errOut,
		inTTY: fileTTY(in), outTTY: fileTTY(out), errTTY: fileTTY(errOut),
		environ: environ,
	}
	if v, ok := s.lookup("NO_COLOR"); ok && v != "" {
		s.noColor = true
	}
	if v, _ := s.lookup("TERM"); v == "dumb" {
		s.noColor = true
	}
	if v, _ := s.lookup("ACCESSIBLE"); truthy(v) {
		s.Accessible = true
	}
	return s
}

// Test returns streams over buffers for tests: nothing is a terminal,
// colour is off, the width is DefaultWidth and the environment is empty.
func Test() (s *IOStreams, in *bytes.Buffer, out *bytes.Buffer, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	s = newStreams(in, out, errOut, nil)
	s.width = DefaultWidth
	return s, in, out, errOut
}

func (s *IOStreams) lookup(key string) (string, bool) {
	for i := len(s.environ) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(s.environ[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// truthy reports whether an environment flag is on: set, and not 0/false/no.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "", "0", "false", "no", "off":
		return false
	}
	return true
}

// IsStdinTTY reports whether In is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// IsStdoutTTY reports whether Out is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

// IsStderrTTY reports whether ErrOut is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// SetStdinTTY overrides terminal detection for In (tests).
func (s *IOStreams) SetStdinTTY(v bool) { s.inTTY = v }

// SetStdoutTTY overrides terminal detection for Out (tests).
func (s *IOStreams) SetStdoutTTY(v bool) { s.outTTY = v }

// SetStderrTTY overrides terminal detection for ErrOut (tests).
func (s *IOStreams) SetStderrTTY(v bool) { s.errTTY = v }

// SetNoColor turns colour off (--no-color); false does not override
// NO_COLOR or TERM=dumb.
func (s *IOStreams) SetNoColor(v bool) {
	if v {
		s.noColor = true
	}
}

// NoColor reports whether colour was turned off by flag or environment,
// whatever the streams are attached to.
func (s *IOStreams) NoColor() bool { return s.noColor }

// CanPrompt reports whether hanavault may ask questions: the answers come
// from a terminal on In and the questions go to a terminal on ErrOut.
func (s *IOStreams) CanPrompt() bool { return s.inTTY && s.errTTY }

// ColorEnabled reports whether output to Out may be coloured.
func (s *IOStreams) ColorEnabled() bool { return !s.noColor && s.outTTY }

// ErrColorEnabled reports whether output to ErrOut may be coloured.
func (s *IOStreams) ErrColorEnabled() bool { return !s.noColor && s.errTTY }

// TerminalWidth is the width of the terminal on Out, or DefaultWidth when
// Out is not a terminal.
func (s *IOStreams) TerminalWidth() int {
	if s.width > 0 {
		return s.width
	}
	if f, ok := s.Out.(*os.File); ok && s.outTTY {
		if w, _, err := term.GetSize(f.Fd()); err == nil && w > 0 {
			return w
		}
	}
	return DefaultWidth
}

// SetDarkBackground fixes the background answer (tests, or when known).
func (s *IOStreams) SetDarkBackground(dark bool) {
	s.darkOnce.Do(func() {})
	s.dark = dark
}

// HasDarkBackground reports whether the terminal's background is dark:
// from COLORFGBG when set, otherwise by asking the terminal (only when In
// and Out are terminals). It answers true when it cannot tell, and asks at
// most once.
func (s *IOStreams) HasDarkBackground() bool {
	s.darkOnce.Do(func() {
		s.dark = true
		if v, ok := s.lookup("COLORFGBG"); ok {
			if dark, ok := darkFromCOLORFGBG(v); ok {
				s.dark = dark
				return
			}
		}
		in, inOK := s.In.(*os.File)
		out, outOK := s.Out.(*os.File)
		if inOK && outOK && s.inTTY && s.outTTY {
			s.dark = lipgloss.HasDarkBackground(in, out)
		}
	})
	return s.dark
}

// darkFromCOLORFGBG reads rxvt's "fg;bg" convention: background colours 7
// and 15 are light, the others dark.
func darkFromCOLORFGBG(v string) (dark, ok bool) {
	parts := strings.Split(v, ";")
	bg, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		return false, false
	}
	return bg != 7 && bg != 15, true
}

// SetColorProfile fixes the colour profile of Out and ErrOut (tests).
func (s *IOStreams) SetColorProfile(p colorprofile.Profile) { s.profile = &p }

// ColorProfile is the colour profile for Out: NoTTY (escape codes
// stripped) unless ColorEnabled.
func (s *IOStreams) ColorProfile() colorprofile.Profile { return s.profileFor(s.Out, s.ColorEnabled()) }

// ErrColorProfile is the colour profile for ErrOut: NoTTY unless
// ErrColorEnabled.
func (s *IOStreams) ErrColorProfile() colorprofile.Profile {
	return s.profileFor(s.ErrOut, s.ErrColorEnabled())
}

func (s *IOStreams) profileFor(w io.Writer, enabled bool) colorprofile.Profile {
	if !enabled {
		return colorprofile.NoTTY
	}
	if s.profile != nil {
		return *s.profile
	}
	p := colorprofile.Detect(w, s.environ)
	if p <= colorprofile.NoTTY {
		// The stream was declared a terminal (SetStdoutTTY) but is not
		// one the detector recognises: basic ANSI colours are safe.
		p = colorprofile.ANSI
	}
	return p
}

// ColorOut returns Out wrapped so that escape codes are reduced to what
// the terminal supports (or stripped when colour is off).
func (s *IOStreams) ColorOut() io.Writer {
	return &colorprofile.Writer{Forward: s.Out, Profile: s.ColorProfile()}
}

// ColorErrOut returns ErrOut wrapped like ColorOut.
func (s *IOStreams) ColorErrOut() io.Writer {
	return &colorprofile.Writer{Forward: s.ErrOut, Profile: s.ErrColorProfile()}
}
