package ui

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"charm.land/bubbles/v2/cursor"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// harness drives the model without a program: every command runs in its
// own goroutine and its message comes back through msgs, so commands that
// block (a run waiting for engine events) never hold up the others.
// Timer-driven messages (spinner ticks, cursor blinks) are dropped so the
// harness reaches a quiet state.
type harness struct {
	t    *testing.T
	m    *model
	msgs chan tea.Msg
	eng  *fakeEngine
	disc *fakeDiscovery
	// quit and interrupt record tea.Quit and tea.Interrupt.
	quit, interrupt bool

	mu sync.Mutex
	// working holds when each command still running started (timers are
	// not held: settle never waits for them).
	working map[int]time.Time
	nextCmd int
}

// blockedAfter is how long a command may run before settle takes it to be
// waiting for something the test controls (an engine event, a gated
// discovery) rather than still working. It is far longer than any command
// takes even on a loaded machine under the race detector.
const blockedAfter = time.Second

// timers are the code of the commands that only wait for a clock (tea.Tick,
// which spinners use, and a cursor's blink): settle does not wait for them.
var timers = func() map[uintptr]bool {
	c := cursor.New()
	c.Focus()
	_ = c.SetMode(cursor.CursorBlink)
	out := map[uintptr]bool{}
	for _, cmd := range []tea.Cmd{tea.Tick(time.Hour, nil), tea.Every(time.Hour, nil), c.Blink()} {
		if cmd != nil {
			out[reflect.ValueOf(cmd).Pointer()] = true
		}
	}
	return out
}()

// newHarness starts the model with cfg (Engine and Discovery filled in
// from the fakes) at 80x24 and waits for discovery.
func newHarness(t *testing.T, eng *fakeEngine, disc *fakeDiscovery, cfg Config) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	cfg.Engine, cfg.Discovery = eng, disc
	if cfg.SaveDir == "" {
		cfg.SaveDir = t.TempDir()
	}
	h := &harness{t: t, m: newModel(ctx, cfg), msgs: make(chan tea.Msg, 256), eng: eng, disc: disc, working: map[int]time.Time{}}
	h.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	h.run(h.m.Init())
	if disc.gate == nil {
		h.waitFor("discovery", func() bool { return !h.m.disc.loading() })
	}
	return h
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	if timers[reflect.ValueOf(cmd).Pointer()] {
		go func() { h.msgs <- cmd() }()
		return
	}
	done := h.started()
	go func() {
		h.msgs <- cmd()
		done()
	}()
}

// started records that a command started; the function it returns records
// that it finished, after its message is queued.
func (h *harness) started() func() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.working == nil {
		h.working = map[int]time.Time{}
	}
	id := h.nextCmd
	h.nextCmd++
	h.working[id] = time.Now()
	return func() {
		h.mu.Lock()
		delete(h.working, id)
		h.mu.Unlock()
	}
}

// busy reports whether a command that started less than blockedAfter ago
// is still running.
func (h *harness) busy() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, t := range h.working {
		if time.Since(t) < blockedAfter {
			return true
		}
	}
	return false
}

// dispatch handles one message from a command.
func (h *harness) dispatch(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
	case tea.QuitMsg:
		h.quit = true
	case tea.InterruptMsg:
		h.interrupt = true
	case spinner.TickMsg, cursor.BlinkMsg:
	default:
		if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
			cmds := make([]tea.Cmd, v.Len())
			for i := range cmds {
				cmds[i] = v.Index(i).Interface().(tea.Cmd)
			}
			done := h.started()
			go func() { // a sequence: one after the other
				defer done()
				for _, c := range cmds {
					if c != nil {
						h.msgs <- c()
					}
				}
			}()
			return
		}
		h.send(msg)
	}
}

// send delivers msg to Update and starts the command it returns.
func (h *harness) send(msg tea.Msg) {
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// press sends keys by name ("enter", "esc", "ctrl+c", "down", "y"…) and
// handles what they cause until things are quiet.
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyMsg(k))
		h.settle()
	}
}

// typeText types s one key at a time.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	h.settle()
}

// settle handles messages until things are quiet: no message for 20 ms
// and no command still working. A quiet spell alone is not enough: on a
// loaded machine a command's goroutine may wait longer than that to run.
func (h *harness) settle() {
	for {
		select {
		case msg := <-h.msgs:
			h.dispatch(msg)
		case <-time.After(20 * time.Millisecond):
			if !h.busy() {
				return
			}
		}
	}
}

// waitFor handles messages until cond holds; it fails after 10 s.
func (h *harness) waitFor(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case msg := <-h.msgs:
			h.dispatch(msg)
		case <-time.After(5 * time.Millisecond):
		case <-deadline:
			h.t.Fatalf("timed out waiting for %s; screen:\n%s", what, h.screen())
		}
	}
}

// screen is the current view without styling.
func (h *harness) screen() string {
	return ansi.Strip(h.m.View().Content)
}

// waitScreen waits until the screen shows want.
func (h *harness) waitScreen(want string) {
	h.t.Helper()
	h.waitFor("screen to show "+want, func() bool { return strings.Contains(h.screen(), want) })
}

// focused is the key of the wizard's focused field.
func (h *harness) focused() string {
	if h.m.wiz == nil || h.m.wiz.form == nil {
		return ""
	}
	return h.m.wiz.form.GetFocusedField().GetKey()
}

// waitFocus waits until the form focuses field and, for a picker, until
// its options are loaded.
func (h *harness) waitFocus(field string) {
	h.t.Helper()
	h.waitFor("focus on "+field, func() bool {
		if h.focused() != field {
			return false
		}
		sel, picker := h.m.wiz.selects[field]
		return !picker || sel.GetValue() != ""
	})
}

// enterTo presses enter on each field in turn and waits for the focus to
// reach the next; the last field named is where focus must end.
func (h *harness) enterTo(fields ...string) {
	h.t.Helper()
	for _, f := range fields {
		h.press("enter")
		h.waitFocus(f)
	}
}

// keyMsg builds a key press from its name.
func keyMsg(k string) tea.KeyPressMsg {
	named := map[string]tea.KeyPressMsg{
		"enter":     {Code: tea.KeyEnter},
		"esc":       {Code: tea.KeyEscape},
		"tab":       {Code: tea.KeyTab},
		"shift+tab": {Code: tea.KeyTab, Mod: tea.ModShift},
		"up":        {Code: tea.KeyUp},
		"down":      {Code: tea.KeyDown},
		"left":      {Code: tea.KeyLeft},
		"right":     {Code: tea.KeyRight},
		"pgdown":    {Code: tea.KeyPgDown},
		"pgup":      {Code: tea.KeyPgUp},
		"backspace": {Code: tea.KeyBackspace},
		"ctrl+c":    {Code: 'c', Mod: tea.ModCtrl},
		"space":     {Code: tea.KeySpace, Text: " "},
		"ctrl+u":    {Code: 'u', Mod: tea.ModCtrl},
	}
	if m, ok := named[k]; ok {
		return m
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

// clearInput deletes n characters before the cursor.
func (h *harness) clearInput(n int) {
	for range n {
		h.send(keyMsg("backspace"))
	}
	h.settle()
}
