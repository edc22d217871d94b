package iostreams

import (
	"io"
	"os"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/creack/pty"
)

func TestTestStreams(t *testing.T) {
	s, in, out, errOut := Test()
	if s.IsStdinTTY() || s.IsStdoutTTY() || s.IsStderrTTY() {
		t.Error("test streams claim to be terminals")
	}
	if s.CanPrompt() || s.ColorEnabled() || s.ErrColorEnabled() || s.Accessible {
		t.Error("test streams prompt, colour or are accessible by default")
	}
	if w := s.TerminalWidth(); w != DefaultWidth {
		t.Errorf("width %d, want %d", w, DefaultWidth)
	}
	in.WriteString("yes\n")
	b, _ := io.ReadAll(s.In)
	if string(b) != "yes\n" {
		t.Errorf("In reads %q", b)
	}
	io.WriteString(s.Out, "data")
	io.WriteString(s.ErrOut, "progress")
	if out.String() != "data" || errOut.String() != "progress" {
		t.Errorf("out %q, err %q", out, errOut)
	}
}

func TestCanPrompt(t *testing.T) {
	tests := []struct {
		in, err, want bool
	}{
		{true, true, true},
		{true, false, false}, // questions would go nowhere visible
		{false, true, false}, // answers would come from a pipe
		{false, false, false},
	}
	for _, tt := range tests {
		s, _, _, _ := Test()
		s.SetStdinTTY(tt.in)
		s.SetStderrTTY(tt.err)
		s.SetStdoutTTY(false) // stdout may be piped: prompts do not use it
		if got := s.CanPrompt(); got != tt.want {
			t.Errorf("stdin tty %v, stderr tty %v: CanPrompt %v, want %v", tt.in, tt.err, got, tt.want)
		}
	}
}

func TestColorDecisions(t *testing.T) {
	tests := []struct {
		name    string
		env     []string
		tty     bool
		noColor bool
		want    bool
	}{
		{"terminal", []string{"TERM=xterm-256color"}, true, false, true},
		{"not a terminal", []string{"TERM=xterm-256color"}, false, false, false},
		{"NO_COLOR", []string{"TERM=xterm-256color", "NO_COLOR=1"}, true, false, false},
		{"empty NO_COLOR is unset", []string{"TERM=xterm-256color", "NO_COLOR="}, true, false, true},
		{"TERM=dumb", []string{"TERM=dumb"}, true, false, false},
		{"--no-color", []string{"TERM=xterm-256color"}, true, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStreams(nil, io.Discard, io.Discard, tt.env)
			s.SetStdoutTTY(tt.tty)
			s.SetStderrTTY(tt.tty)
			s.SetNoColor(tt.noColor)
			if got := s.ColorEnabled(); got != tt.want {
				t.Errorf("ColorEnabled %v, want %v", got, tt.want)
			}
			if got := s.ErrColorEnabled(); got != tt.want {
				t.Errorf("ErrColorEnabled %v, want %v", got, tt.want)
			}
			if !tt.want && s.ColorProfile() != colorprofile.NoTTY {
				t.Errorf("colour off but profile %v", s.ColorProfile())
			}
		})
	}
}

func TestSetNoColorFalseKeepsEnvironment(t *testing.T) {
	s := newStreams(nil, io.Discard, io.Discard, []string{"NO_COLOR=1"})
	s.SetStdoutTTY(true)
	s.SetNoColor(false)
	if s.ColorEnabled() {
		t.Error("--no-color=false overrode NO_COLOR")
	}
}

func TestAccessibleFromEnvironment(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "true": true, "yes": true, "0": false, "false": false, "": false} {
		s := newStreams(nil, io.Discard, io.Discard, []string{"ACCESSIBLE=" + v})
		if s.Accessible != want {
			t.Errorf("ACCESSIBLE=%q: Accessible %v, want %v", v, s.Accessible, want)
		}
	}
}

func TestColorOutStripsWhenColourIsOff(t *testing.T) {
	s, _, out, _ := Test()
	io.WriteString(s.ColorOut(), "\x1b[1mbold\x1b[m plain")
	if out.String() != "bold plain" {
		t.Errorf("ColorOut wrote %q", out)
	}
	s.SetStdoutTTY(true)
	s.SetColorProfile(colorprofile.ANSI256)
	out.Reset()
	io.WriteString(s.ColorOut(), "\x1b[1mbold\x1b[m")
	if out.String() != "\x1b[1mbold\x1b[m" {
		t.Errorf("ColorOut with colour wrote %q", out)
	}
}

func TestDarkBackground(t *testing.T) {
	tests := []struct {
		colorfgbg string
		want      bool
	}{
		{"15;0", true},
		{"0;15", false},
		{"0;default;7", false},
		{"12;8", true},
		{"garbage", true}, // unknown, and no terminal to ask: assume dark
	}
	for _, tt := range tests {
		s := newStreams(nil, io.Discard, io.Discard, []string{"COLORFGBG=" + tt.colorfgbg})
		if got := s.HasDarkBackground(); got != tt.want {
			t.Errorf("COLORFGBG=%q: dark %v, want %v", tt.colorfgbg, got, tt.want)
		}
	}
	s, _, _, _ := Test()
	s.SetDarkBackground(false)
	if s.HasDarkBackground() {
		t.Error("SetDarkBackground(false) ignored")
	}
}

// TestRealTerminal checks detection on a pseudo-terminal.
func TestRealTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(tty, &pty.Winsize{Cols: 123, Rows: 40}); err != nil {
		t.Fatal(err)
	}
	s := newStreams(tty, tty, tty, []string{"TERM=xterm-256color"})
	if !s.IsStdinTTY() || !s.IsStdoutTTY() || !s.IsStderrTTY() {
		t.Fatal("pty not detected as a terminal")
	}
	if !s.CanPrompt() || !s.ColorEnabled() {
		t.Error("a terminal cannot prompt or colour")
	}
	if w := s.TerminalWidth(); w != 123 {
		t.Errorf("width %d, want 123", w)
	}
	if p := s.ColorProfile(); p < colorprofile.ANSI256 {
		t.Errorf("profile %v on xterm-256color", p)
	}

	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s = newStreams(tty, f, tty, nil)
	if s.IsStdoutTTY() || s.ColorEnabled() {
		t.Error("a file is taken for a terminal")
	}
	if w := s.TerminalWidth(); w != DefaultWidth {
		t.Errorf("width %d for a file, want %d", w, DefaultWidth)
	}
}
