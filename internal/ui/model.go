package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
)

// screen is which screen the wizard shows.
type screen int

const (
	scrHome    screen = iota // account, known landscapes, discovery
	scrForm                  // the landscape form
	scrBusy                  // waiting for the engine (or showing why it failed)
	scrPlan                  // the plan, before apply
	scrDocs                  // the plan's policy documents
	scrDoc                   // one policy document
	scrRun                   // apply, roll back or destroy in progress, then its summary
	scrStatus                // a landscape's status
	scrDestroy               // what destroy would delete, and the typed confirmation
)

// model is the wizard's Bubble Tea model. It has pointer receivers: Update
// mutates it in place and huh forms bind to fields of heap structs it owns.
type model struct {
	ctx  context.Context
	cfg  Config
	keys keyMap
	st   styles
	help help.Model
	spin spinner.Model
	// spinning is set while a spinner tick is scheduled.
	spinning bool

	width, height int
	screen        screen
	// flash is a one-line message shown until the next key press.
	flash string

	disc *discovery
	home homeState
	wiz  *wizard
	// dialog, when set, is a small form (a confirmation or the typed SID)
	// that receives the keys.
	dialog *dialog

	// seq identifies the engine call the busy screen waits for; results
	// of abandoned calls carry an older seq and are dropped.
	seq  int
	busy busyState

	// land is the landscape the plan, run, status and destroy screens
	// are about; savedPath is where the form saved it, if it did.
	land      spec.Landscape
	savedPath string

	plan *planState
	run  *runState
	// dr holds the answers of the recall dialog.
	dr      *drState
	status  *statusState
	destroy *destroyState

	// leaving: "Leave hanavault?" is showing (ctrl+c in the form).
	leaving bool
	// resolving is set while cfg.Open looks for the account after the
	// first frame; the home screen says so and takes no keys but quit.
	resolving bool
	// late is the lookup still running behind a Config.Fallback session.
	late lateLookup

	// exitErr is what Run returns when the user leaves (an interrupted
	// operation).
	exitErr error
	// summary is printed after the program exits.
	summary []string
}

// newModel returns the wizard's model for cfg (cfg has its defaults).
func newModel(ctx context.Context, cfg Config) *model {
	m := &model{
		ctx:    ctx,
		cfg:    cfg,
		keys:   newKeyMap(),
		spin:   spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		width:  80,
		height: 24,
		disc:   newDiscovery(),
	}
	m.setLook(look{isDark: true, noColor: cfg.NoColor})
	return m
}

// setLook restyles everything for a background or colour change.
func (m *model) setLook(lk look) {
	m.st = newStyles(lk)
	m.help = m.st.helpModel(m.width)
	if !lk.noColor {
		m.spin.Style = m.st.accent
	}
	m.rerender()
}

// Init resolves the account when cfg.Open is set (discovery starts once
// it has), else starts discovery at once.
func (m *model) Init() tea.Cmd {
	if m.cfg.Open != nil {
		m.resolving = true
		return tea.Batch(tea.RequestBackgroundColor, m.openSession(), m.startSpinner(), m.fallbackTimer())
	}
	return tea.Batch(tea.RequestBackgroundColor, m.discover())
}

// sessionMsg carries what cfg.Open resolved.
type sessionMsg struct {
	s   Session
	err error
}

// openSession runs cfg.Open off the Update goroutine: looking for credentials
// can take seconds (the EC2 metadata endpoint), the first frame must not
// wait for it.
func (m *model) openSession() tea.Cmd {
	open, ctx := m.cfg.Open, m.ctx
	return func() tea.Msg {
		s, err := open(ctx)
		return sessionMsg{s, err}
	}
}

// resolved swaps in the session and starts discovery, or ends the wizard
// with Open's error. Behind a fallback session, lateSession handles it.
func (m *model) resolved(msg sessionMsg) tea.Cmd {
	if m.late.pending {
		return m.lateSession(msg)
	}
	m.resolving = false
	if msg.err != nil {
		m.exitErr = msg.err
		return tea.Quit
	}
	return m.useSession(msg.s)
}

// discover starts discovery: identity, known landscapes, regions and both
// role lists load concurrently, each in its own command.
func (m *model) discover() tea.Cmd {
	return tea.Batch(
		m.loadIdentity(),
		m.loadKnown(),
		m.loadRegions(),
		m.loadRoles(roleEC2),
		m.loadRoles(roleAdmin),
		m.startSpinner(),
	)
}

// opResult carries the outcome of an engine call back into Update.
type opResult struct {
	seq  int
	done func(*model) tea.Cmd
}

// refreshMsg makes a huh form rebuild its view after the wizard changed
// field descriptions or values.
type refreshMsg struct{}

// Update routes a message to the screen that owns it.
func (m *model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.help.SetWidth(msg.Width)
		if m.disc.cat.width != msg.Width && m.wiz != nil {
			m.disc.cat.setWidth(msg.Width)
			m.rerender()
			return m, m.wiz.discoveryChanged(m) // the pickers' labels fit the new width
		}
		m.disc.cat.setWidth(msg.Width)
		m.rerender()
		return m, nil
	case tea.BackgroundColorMsg:
		m.setLook(look{isDark: msg.IsDark(), noColor: m.cfg.NoColor})
		return m, m.forward(msg)
	case spinner.TickMsg:
		if msg.ID != m.spin.ID() {
			return m, m.forward(msg)
		}
		if !m.needSpinner() {
			m.spinning = false
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		if m.run != nil && m.run.active() {
			m.run.layout(m) // the rows show the spinner's frame
		}
		return m, cmd
	case sessionMsg:
		return m, m.resolved(msg)
	case fallbackDueMsg:
		return m, m.fallbackDue()
	case fallbackMsg:
		return m, m.fellBack(msg)
	case offerMsg:
		return m, m.offered(msg)
	case discoveredMsg:
		if msg.d != m.disc {
			return m, nil // about a session the wizard has left
		}
		return m, m.updateDiscovery(msg.msg)
	case opResult:
		if msg.seq != m.seq {
			return m, nil
		}
		return m, msg.done(m)
	case runMsg:
		return m, m.updateRun(msg)
	case pauseMsg:
		return m, m.paused(msg)
	case tea.KeyPressMsg:
		return m, m.updateKey(msg)
	}
	return m, m.forward(msg)
}

// forward passes a message to the form that is showing, if any.
func (m *model) forward(msg tea.Msg) tea.Cmd {
	switch {
	case m.dialog != nil:
		return m.updateDialog(msg)
	case m.screen == scrForm && m.wiz != nil:
		return m.updateForm(msg)
	}
	return nil
}

func (m *model) updateKey(msg tea.KeyPressMsg) tea.Cmd {
	m.flash = ""
	if key.Matches(msg, m.keys.Interrupt) {
		return m.interrupt()
	}
	if m.resolving {
		// Nothing to act on before the account is known.
		if key.Matches(msg, m.keys.Quit) {
			return tea.Quit
		}
		return nil
	}
	if m.dialog != nil {
		if m.screen == scrDestroy && slices.Contains([]string{"up", "down", "pgup", "pgdown", "home", "end"}, msg.String()) {
			return m.destroyKey(msg) // scroll the preview under the SID prompt
		}
		return m.updateDialog(msg)
	}
	switch m.screen {
	case scrHome:
		return m.homeKey(msg)
	case scrForm:
		return m.formKey(msg)
	case scrBusy:
		return m.busyKey(msg)
	case scrPlan, scrDocs, scrDoc:
		return m.planKey(msg)
	case scrRun:
		return m.runKey(msg)
	case scrStatus:
		return m.statusKey(msg)
	case scrDestroy:
		return m.destroyKey(msg)
	}
	return nil
}

// interrupt handles ctrl+c: during apply or destroy and in the form it
// asks first, everywhere else it leaves the wizard.
func (m *model) interrupt() tea.Cmd {
	if m.run != nil && m.run.active() {
		return m.runInterrupt()
	}
	if m.screen == scrForm {
		return m.askLeave()
	}
	return tea.Interrupt
}

// goHome shows the home screen and drops whatever was in flight.
func (m *model) goHome() tea.Cmd {
	m.seq++
	m.dialog = nil
	m.screen = scrHome
	return nil
}

// View draws the current screen.
func (m *model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "hanavault"
	return v
}

// render composes header, body and help line to fit the window.
func (m *model) render() string {
	header := m.header()
	footer := m.footer()
	bodyHeight := max(m.height-lipgloss.Height(header)-lipgloss.Height(footer), 3)
	var body string
	switch m.screen {
	case scrHome:
		body = m.homeView(bodyHeight)
	case scrForm:
		body = m.formView()
	case scrBusy:
		body = m.busyView()
	case scrPlan, scrDocs, scrDoc:
		body = m.planView()
	case scrRun:
		body = m.runView()
	case scrStatus:
		body = m.statusView()
	case scrDestroy:
		body = m.destroyView()
	}
	if m.dialog != nil {
		// The dialog goes under the screen, which gives up its last lines.
		dv := strings.TrimRight(m.dialog.view(), "\n")
		body = fitHeight(strings.TrimRight(body, "\n"), max(bodyHeight-lineCount(dv)-1, 1)) + "\n\n" + dv
	}
	body = fitHeight(body, bodyHeight)
	return header + "\n" + body + "\n" + footer
}

// header is the title line (and the sandbox banner on the home screen).
func (m *model) header() string {
	left := m.st.title.Render("hanavault") + m.st.faint.Render(" · "+m.screenTitle())
	right := ""
	if id := m.disc.identity; m.disc.identityState == loaded {
		right = m.st.faint.Render("account " + id.Account)
	}
	if m.cfg.Sandbox {
		right = m.st.banner.Render("SANDBOX") + " " + right
	}
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	line := left
	if gap >= 1 {
		line = left + strings.Repeat(" ", gap) + right
	}
	return ansi.Truncate(line, m.width, "…")
}

func (m *model) screenTitle() string {
	sid := m.land.SID
	switch m.screen {
	case scrHome:
		return "SAP HANA backup storage on AWS"
	case scrForm:
		if m.wiz != nil && m.wiz.form != nil {
			if i, n := m.wiz.step(); n > 0 {
				return fmt.Sprintf("new landscape · step %d of %d", i, n)
			}
		}
		return "new landscape"
	case scrBusy:
		return m.busy.label
	case scrPlan:
		return "plan for " + sid
	case scrDocs, scrDoc:
		return "policy documents for " + sid
	case scrRun:
		return m.run.title()
	case scrStatus:
		return "status of " + sid
	case scrDestroy:
		return "destroy " + sid
	}
	return ""
}

// footer is the flash message (if any) and the help line.
func (m *model) footer() string {
	// bubbles/help can overflow a narrow window by its ellipsis; cut it.
	line := ansi.Truncate(m.help.ShortHelpView(m.bindings()), m.width, "…")
	if m.flash != "" {
		return m.st.warn.Render(ansi.Truncate(m.flash, m.width, "…")) + "\n" + line
	}
	return line
}

// bindings are the keys the help line shows for the current screen.
func (m *model) bindings() []key.Binding {
	k := m.keys
	if m.dialog != nil {
		return m.dialog.bindings(k)
	}
	switch m.screen {
	case scrHome:
		return m.homeBindings()
	case scrForm:
		return m.formBindings()
	case scrBusy:
		if m.busy.err != nil {
			return []key.Binding{k.Retry, k.Back, k.Interrupt}
		}
		return []key.Binding{k.Cancel, k.Interrupt}
	case scrPlan, scrDocs, scrDoc:
		return m.planBindings()
	case scrRun:
		return m.runBindings()
	case scrStatus:
		if m.status != nil && m.status.destroyed != nil {
			return []key.Binding{k.Up, k.Down, k.Back, k.Interrupt}
		}
		return []key.Binding{k.Up, k.Down, k.Apply, k.Destroy, k.Refresh, k.Back, k.Interrupt}
	case scrDestroy:
		return []key.Binding{k.Up, k.Down, k.Back, k.Interrupt}
	}
	return nil
}

// rerender re-lays out everything that depends on the window or look.
func (m *model) rerender() {
	if m.wiz != nil && m.wiz.form != nil {
		m.wiz.resize(m.width, m.formHeight())
	}
	if m.plan != nil {
		m.plan.layout(m)
	}
	if m.status != nil {
		m.status.layout(m)
	}
	if m.destroy != nil {
		m.destroy.layout(m)
	}
	if m.run != nil {
		m.run.layout(m)
	}
	if m.dialog != nil {
		m.dialog.resize(m.width, m.height)
	}
}

// formHeight is the height a full-screen form may use: the window less the
// title and help lines and room for huh's error lines under a group.
func (m *model) formHeight() int {
	return max(m.height-5, 8)
}

// viewportHeight is the height left for a screen's scrollable body when
// it has reserve lines of its own below it.
func (m *model) viewportHeight(reserve int) int {
	return max(m.height-2-reserve, 3) // header and help line
}

// fitHeight cuts s to at most h lines.
func fitHeight(s string, h int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

// needSpinner reports whether anything on screen is animating.
func (m *model) needSpinner() bool {
	return m.resolving || m.disc.loading() || (m.screen == scrBusy && m.busy.err == nil) ||
		(m.run != nil && m.run.active())
}

// startSpinner schedules a spinner tick unless one is scheduled already.
func (m *model) startSpinner() tea.Cmd {
	if m.spinning {
		return nil
	}
	m.spinning = true
	return m.spin.Tick
}

// busyState is the busy screen: an engine call in flight, or its failure.
type busyState struct {
	label string
	err   error
	back  screen
	retry func() tea.Cmd
}

// startOp shows the busy screen while work runs; work's result is applied
// in Update unless the user left the busy screen first.
func (m *model) startOp(label string, back screen, work func(ctx context.Context) func(*model) tea.Cmd) tea.Cmd {
	m.seq++
	seq := m.seq
	m.dialog = nil
	m.busy = busyState{label: label, back: back}
	m.busy.retry = func() tea.Cmd { return m.startOp(label, back, work) }
	m.screen = scrBusy
	ctx := m.ctx
	return tea.Batch(m.startSpinner(), func() tea.Msg { return opResult{seq: seq, done: work(ctx)} })
}

// fail shows err on the busy screen.
func (m *model) fail(err error) tea.Cmd {
	m.screen = scrBusy
	m.busy.err = err
	return nil
}

func (m *model) busyKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case m.busy.err != nil && key.Matches(msg, m.keys.Retry):
		return m.busy.retry()
	case key.Matches(msg, m.keys.Back):
		return m.backTo(m.busy.back)
	}
	return nil
}

// backTo returns to an earlier screen, dropping the call in flight.
func (m *model) backTo(s screen) tea.Cmd {
	m.seq++
	m.dialog = nil
	switch {
	case s == scrForm:
		return m.reopenForm()
	case s == scrPlan && m.plan != nil, s == scrStatus && m.status != nil:
		m.screen = s
		return nil
	}
	return m.goHome()
}

func (m *model) busyView() string {
	if m.busy.err == nil {
		return m.spin.View() + " " + m.busy.label + "…"
	}
	return m.st.bad.Render("✗ "+m.busy.label+" failed") + "\n\n" + m.explain(m.busy.err)
}

// explain renders an error with its fix (Config.hint), wrapped to the
// window.
func (m *model) explain(err error) string {
	h := m.cfg.hint(err)
	s := h.Problem
	if h.Fix != "" {
		s += "\n" + m.st.faint.Render("Fix: ") + h.Fix
	}
	return wrap(s, m.width)
}

// wrap wraps s to width columns at spaces, never inside a word: names,
// ARNs, paths and commands stay whole, so they can be copied.
func wrap(s string, width int) string {
	return report.Wrap(s, max(width, 20))
}

// commandLines lays out a command to copy on lines of its own, broken
// only between arguments (report.CommandLines).
func (m *model) commandLines(cmd string) string {
	return m.st.accent.Render(strings.Join(report.CommandLines(cmd, "  ", m.width), "\n"))
}

// epilogue is printed on the terminal after the program exits, so the
// user keeps what matters once the alternate screen is gone.
func (m *model) epilogue() string {
	if len(m.summary) == 0 {
		return ""
	}
	return strings.Join(m.summary, "\n") + "\n"
}

// note adds a line to the epilogue.
func (m *model) note(format string, args ...any) {
	m.summary = append(m.summary, fmt.Sprintf(format, args...))
}

// dialog is a one-field huh form shown under a screen: a confirmation or a
// typed answer.
type dialog struct {
	form     *huh.Form
	onSubmit func(*model) tea.Cmd
	onCancel func(*model) tea.Cmd
}

// openDialog shows a dialog with one field; submit runs when the user
// completes it, cancel when they press esc.
func (m *model) openDialog(field huh.Field, submit, cancel func(*model) tea.Cmd) tea.Cmd {
	f := huh.NewForm(huh.NewGroup(field)).
		WithShowHelp(false).
		WithTheme(m.st.formTheme()).
		WithWidth(max(m.width-2, 20))
	_, cmd := f.Update(tea.BackgroundColorMsg{Color: m.st.background()})
	// The form sizes its group from a window size, which the wizard
	// keeps: without one a description that wraps pushed the buttons out.
	_, size := f.Update(tea.WindowSizeMsg{Width: m.width, Height: m.height})
	m.dialog = &dialog{form: f, onSubmit: submit, onCancel: cancel}
	return tea.Batch(f.Init(), cmd, size)
}

func (m *model) updateDialog(msg tea.Msg) tea.Cmd {
	d := m.dialog
	if k, ok := msg.(tea.KeyPressMsg); ok && k.String() == "esc" {
		m.dialog = nil
		if d.onCancel != nil {
			return d.onCancel(m)
		}
		return nil
	}
	fm, cmd := d.form.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		d.form = f
	}
	switch d.form.State {
	case huh.StateCompleted:
		m.dialog = nil
		return tea.Batch(cmd, d.onSubmit(m))
	case huh.StateAborted:
		m.dialog = nil
		if d.onCancel != nil {
			return d.onCancel(m)
		}
	}
	return cmd
}

func (d *dialog) view() string { return d.form.View() }

func (d *dialog) resize(width, height int) {
	d.form.WithWidth(max(width-2, 20))
	d.form.Update(tea.WindowSizeMsg{Width: width, Height: height})
}

func (d *dialog) bindings(k keyMap) []key.Binding {
	return append(d.form.KeyBinds(), k.Cancel, k.Interrupt)
}
