package ui

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/progress"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// runKind is what a run does.
type runKind int

const (
	runApply runKind = iota
	runRollback
	runDestroy
	runVerify
	runRecall
)

func (k runKind) verb() string {
	return [...]string{"Applying", "Rolling back", "Destroying", "Verifying", "Recalling"}[k]
}

// op is the operation's name for reports and commands.
func (k runKind) op() string {
	return [...]string{"apply", "rollback", "destroy", "verify", "recall"}[k]
}

func (k runKind) noun() string {
	return [...]string{"Apply", "Roll back", "Destroy", "Verify", "Recall"}[k]
}

// rowState is where one step is.
type rowState int

const (
	rowWaiting rowState = iota
	rowRunning
	rowRetrying
	rowDone
	rowFailed
	rowSkipped
)

func (s rowState) final() bool { return s >= rowDone }

// row is one step on the run screen.
type row struct {
	id, region, resource, title string
	component                   string
	action                      steps.Action
	state                       rowState
	detail                      string
	attempt                     int
	elapsed                     time.Duration
	done, total                 int64
}

// runMsg is one message from a running operation: an event, or (end) its
// result.
type runMsg struct {
	run int
	ev  steps.Event
	end bool
	res *steps.Result
	err error
	// outcome is a verify's or recall's result in words.
	outcome string
}

// runState is the run screen.
type runState struct {
	id      int
	kind    runKind
	land    spec.Landscape
	changes []steps.Change
	rows    []*row
	index   map[string]*row
	notes   []string
	// outcome is a verify's or recall's result in words (evidence path).
	outcome string
	ch      chan runMsg
	cancel  context.CancelFunc
	// asking: "Stop after the calls in flight?" is showing; stopping:
	// the user said yes and the engine is winding down.
	asking, stopping, finished bool
	result                     *steps.Result
	err                        error
	bar                        progress.Model
	vp                         viewport.Model
	// follow keeps the latest step in view until the user scrolls.
	follow bool
	last   int
	// rollback is the answer to "Roll back what this run created?".
	rollback bool
	// stateW is the width of the rows' state column; heads is the region
	// heading each content line falls under (kept visible above the rows).
	stateW int
	heads  []string
}

func (r *runState) active() bool { return !r.finished }

// dr reports whether the run is a verify or recall: its rows are checks
// and requests, each with a result, never steps with nothing to do.
func (r *runState) dr() bool { return r.kind == runVerify || r.kind == runRecall }

// drStep reports whether a step ID is one of verify's checks or a recall.
func drStep(id string) bool {
	return strings.HasPrefix(id, "verify/") || strings.HasPrefix(id, "recall/")
}

// verifyCleanup is the row of verify's canary removal: not a check (the
// CLI does not count it) unless it failed.
const verifyCleanup = "verify/cleanup"

func (r *runState) title() string {
	if r.finished {
		return strings.ToLower(r.kind.noun()) + " of " + r.land.SID
	}
	return strings.ToLower(r.kind.verb()) + " " + r.land.SID
}

func (r *runState) add(id, region, component, resource, title string, a steps.Action) *row {
	if title == "" {
		title = id
	}
	rw := &row{id: id, region: region, component: component, resource: resource, title: title, action: a}
	r.rows = append(r.rows, rw)
	r.index[id] = rw
	return rw
}

// startRun starts an apply, roll back or destroy of m.land; rows start
// as the changes that do something.
func (m *model) startRun(kind runKind, changes []steps.Change) tea.Cmd {
	id := 1
	if m.run != nil {
		id = m.run.id + 1
	}
	ctx, cancel := context.WithCancel(m.ctx)
	r := &runState{
		id: id, kind: kind, land: m.land, changes: changes, index: map[string]*row{},
		ch: make(chan runMsg, 64), cancel: cancel, follow: true,
		bar: newBar(m.st.look),
		vp:  newViewport(),
	}
	for _, c := range changes {
		if c.Action != steps.ActionInSync && c.Action != steps.ActionKeep {
			r.add(c.ID, c.Region, c.Component, c.Resource, c.Title, c.Action)
		}
	}
	m.run = r
	m.dialog = nil
	m.screen = scrRun
	r.layout(m)
	eng, l, ch, root := m.cfg.Engine, m.land, r.ch, m.ctx
	work := func() tea.Msg {
		go func() {
			defer cancel()
			defer close(ch)
			sink := steps.SinkFunc(func(e steps.Event) {
				select {
				case ch <- runMsg{run: id, ev: e}:
				case <-root.Done():
				}
			})
			var (
				res     *steps.Result
				err     error
				outcome string
			)
			switch kind {
			case runApply:
				res, err = eng.Apply(ctx, l, sink)
			case runRollback:
				res, err = eng.RollbackLastRun(ctx, l, sink)
			case runDestroy:
				res, err = eng.Destroy(ctx, l, sink)
			case runVerify, runRecall:
				outcome, err = m.drWork(kind, ctx, l, sink)
			}
			select {
			case ch <- runMsg{run: id, end: true, res: res, err: err, outcome: outcome}:
			case <-root.Done():
			}
		}()
		return waitForRun(ch)()
	}
	return tea.Batch(work, m.startSpinner())
}

// newBar is the overall progress bar: blended colours, or plain
// characters without colour.
func newBar(lk look) progress.Model {
	if lk.noColor {
		b := progress.New(progress.WithFillCharacters('#', '.'), progress.WithColors(lipgloss.NoColor{}))
		b.EmptyColor = lipgloss.NoColor{}
		return b
	}
	return progress.New(progress.WithDefaultBlend())
}

// waitForRun delivers the next message of a run.
func waitForRun(ch <-chan runMsg) tea.Cmd {
	return func() tea.Msg {
		msg, ok := <-ch
		if !ok {
			return nil
		}
		return msg
	}
}

func (m *model) updateRun(msg runMsg) tea.Cmd {
	r := m.run
	if r == nil || msg.run != r.id {
		return nil
	}
	if msg.end {
		r.outcome = msg.outcome
		m.finishRun(msg.res, msg.err)
		if msg.outcome != "" {
			m.note("%s", msg.outcome)
		}
		return m.loadKnown()
	}
	r.event(msg.ev)
	r.layout(m)
	return waitForRun(r.ch)
}

// event applies one engine event to the rows.
func (r *runState) event(e steps.Event) {
	if e.Kind == steps.EventNote {
		if e.Detail != "" {
			r.notes = append(r.notes, e.Detail)
		}
		return
	}
	action := e.Action
	if r.dr() {
		action = "" // verify starts its checks "in sync": they still have a result to show
	}
	rw, ok := r.index[e.StepID]
	if !ok {
		rw = r.add(e.StepID, e.Region, e.Component, e.Resource, e.Title, action)
	}
	if rw.region == "" {
		rw.region = e.Region
	}
	switch e.Kind {
	case steps.EventStarted:
		rw.state, rw.detail = rowRunning, ""
	case steps.EventRetrying:
		rw.state, rw.attempt, rw.detail = rowRetrying, e.Attempt, e.Reason
	case steps.EventProgress:
		rw.state, rw.detail, rw.done, rw.total = rowRunning, e.Detail, e.Done, e.Total
	case steps.EventDone:
		rw.state, rw.elapsed, rw.detail = rowDone, e.Elapsed, ""
		if action != "" {
			rw.action = action
		}
		if r.dr() {
			rw.detail = e.Detail // what the check found, how many requests were sent
		}
	case steps.EventFailed:
		rw.state, rw.detail, rw.elapsed = rowFailed, e.Error, e.Elapsed
	case steps.EventSkipped:
		rw.state, rw.detail = rowSkipped, e.Reason
	}
	for i, x := range r.rows {
		if x == rw {
			r.last = i
		}
	}
}

// finishRun records a run's outcome; every row ends in a final state.
func (m *model) finishRun(res *steps.Result, err error) {
	r := m.run
	r.finished, r.asking, r.result, r.err = true, false, res, err
	for _, rw := range r.rows {
		if r.dr() && rw.state == rowRunning && rw.detail != "" {
			rw.state = rowDone // verify's cleanup reports its result as progress and ends with the run
		}
		if !rw.state.final() {
			rw.state, rw.detail = rowSkipped, ""
		}
		if r.stopping && rw.state == rowSkipped {
			rw.detail = "" // the summary says why once, not per row
		}
	}
	sid := r.land.SID
	switch {
	case r.stopping:
		m.exitErr = fmt.Errorf("%s of landscape %s stopped by the user (%w)", strings.ToLower(r.kind.noun()), sid, tea.ErrInterrupted)
		m.note("%s of %s stopped. %s", r.kind.noun(), sid, m.resumeNote())
	case err != nil:
		m.note("%s of %s failed: %v", r.kind.noun(), sid, err)
	case res != nil && res.Failed > 0:
		m.note("%s of %s finished with failures: %s. Journal:\n  %s", r.kind.noun(), sid, r.tally().countWords(true), res.JournalPath)
	case res != nil:
		m.note("%s of %s finished: %s. Journal:\n  %s", r.kind.noun(), sid, r.tally().countWords(true), res.JournalPath)
		for _, k := range res.KeyDeletions {
			m.note("Key %s (%s) is scheduled for deletion on %s. Key ID:\n  %s\nTo keep it, run:\n%s",
				k.Alias, k.Region, k.DeletionDate.Format("2006-01-02"), k.KeyID,
				strings.Join(report.CommandLines(k.CancelHint, "  ", m.width), "\n"))
		}
	}
	r.follow = false
	r.layout(m)
	r.vp.GotoBottom()
}

// failedRun reports whether the finished run left failures behind.
func (r *runState) failedRun() bool {
	if !r.finished || r.stopping {
		return false
	}
	if r.err != nil || (r.result != nil && r.result.Failed > 0) {
		return true
	}
	for _, rw := range r.rows {
		if rw.state == rowFailed {
			return true
		}
	}
	return false
}

// resumeHint says how to carry on after a stop: a sentence, and the
// command to run ("" when there is none).
func (m *model) resumeHint() (sentence, command string) {
	sid := m.run.land.SID
	if m.run.kind == runDestroy {
		return "To finish, run hanavault again and choose destroy, or run:", m.cfg.command("destroy " + sid)
	}
	if m.savedPath == "" {
		return "To resume, run hanavault again and choose apply again on " + sid + ".", ""
	}
	return "To resume, run hanavault again and choose apply again, or run:", m.cfg.command("apply -f " + m.savedPath)
}

// resumeText is resumeHint for the screen: the command on lines of its
// own.
func (m *model) resumeText() string {
	s, cmd := m.resumeHint()
	s = wrap(s, m.width-2)
	if cmd != "" {
		s += "\n" + m.commandLines(cmd)
	}
	return s
}

// resumeNote is resumeHint for the epilogue, printed on the terminal
// after the wizard: the command whole on a line of its own.
func (m *model) resumeNote() string {
	s, cmd := m.resumeHint()
	if cmd != "" {
		s += "\n" + strings.Join(report.CommandLines(cmd, "  ", m.width), "\n")
	}
	return s
}

// runInterrupt handles ctrl+c while a run is active: ask first, stop on
// the second press, leave at once on the third.
func (m *model) runInterrupt() tea.Cmd {
	r := m.run
	switch {
	case r.stopping:
		m.exitErr = fmt.Errorf("left while %s %s was stopping (%w)", strings.ToLower(r.kind.verb()), r.land.SID, tea.ErrInterrupted)
		m.note("Left before the engine finished stopping. %s", m.resumeNote())
		return tea.Interrupt
	case r.asking:
		return m.stopRun()
	}
	r.asking = true
	r.layout(m)
	return nil
}

// stopRun cancels the run's context; events keep draining until the
// engine returns.
func (m *model) stopRun() tea.Cmd {
	r := m.run
	r.asking, r.stopping = false, true
	r.cancel()
	r.layout(m)
	return nil
}

func (m *model) runBindings() []key.Binding {
	k := m.keys
	r := m.run
	if r.asking {
		return []key.Binding{k.Yes, k.No}
	}
	if r.active() {
		stop := k.Interrupt
		stop.SetHelp("ctrl+c", "stop…")
		if r.stopping {
			stop.SetHelp("ctrl+c", "leave now")
		}
		return []key.Binding{k.Up, k.Down, stop}
	}
	home := k.Back
	home.SetHelp("esc", "home")
	b := []key.Binding{k.Up, k.Down}
	if r.failedRun() && r.kind == runApply {
		b = append(b, k.Retry, k.Rollback)
	}
	if r.kind == runApply && !r.failedRun() && !r.stopping {
		b = append(b, k.Status)
		if m.cfg.DR != nil {
			b = append(b, k.Verify)
		}
	}
	return append(b, home, k.Interrupt)
}

func (m *model) runKey(msg tea.KeyPressMsg) tea.Cmd {
	r := m.run
	k := m.keys
	if r.asking {
		switch {
		case key.Matches(msg, k.Yes):
			return m.stopRun()
		case key.Matches(msg, k.No):
			r.asking = false
			r.layout(m)
		}
		return nil
	}
	if r.active() {
		if key.Matches(msg, k.Back) {
			m.flash = r.kind.verb() + " " + r.land.SID + "… ctrl+c stops it."
			return nil
		}
		return m.scrollRun(msg)
	}
	switch {
	case r.failedRun() && r.kind == runApply && key.Matches(msg, k.Retry):
		return m.startRun(runApply, r.changes)
	case r.failedRun() && r.kind == runApply && key.Matches(msg, k.Rollback):
		return m.confirmRollback()
	case r.kind == runApply && !r.failedRun() && !r.stopping && key.Matches(msg, k.Status):
		return m.statusOf(r.land, scrHome)
	case r.kind == runApply && !r.failedRun() && !r.stopping && m.cfg.DR != nil && key.Matches(msg, k.Verify):
		m.land = r.land
		return m.startRun(runVerify, nil)
	case key.Matches(msg, k.Back), key.Matches(msg, k.Open):
		return m.goHome()
	}
	return m.scrollRun(msg)
}

func (m *model) scrollRun(msg tea.KeyPressMsg) tea.Cmd {
	r := m.run
	if jump(&r.vp, msg) {
		r.follow = false
		return nil
	}
	var cmd tea.Cmd
	before := r.vp.YOffset()
	r.vp, cmd = r.vp.Update(msg)
	if r.vp.YOffset() != before {
		r.follow = false
	}
	return cmd
}

// confirmRollback asks before undoing what the failed run created.
func (m *model) confirmRollback() tea.Cmd {
	r := m.run
	r.rollback = false
	c := huh.NewConfirm().
		Title("Roll back what this run created or changed?").
		Description("Resources from earlier runs stay. Buckets this run created are deleted only if empty.").
		Affirmative("Roll back").Negative("Cancel").Value(&r.rollback)
	return m.openDialog(c, func(m *model) tea.Cmd {
		if !m.run.rollback {
			return nil
		}
		return m.startRun(runRollback, nil)
	}, nil)
}

// folded reports whether a row is summed up in one line instead of
// listed: a step that turned out to have nothing to do.
func (rw *row) folded() bool {
	return rw.state == rowDone && (rw.action == steps.ActionKeep || rw.action == steps.ActionInSync)
}

// tally is what the rows that act add up to; steps with nothing to do
// are counted apart, so the totals are those of the plan or the destroy
// preview.
type tally struct {
	done, failed, notStarted, total int
	nothing                         int  // steps that had nothing to do
	removed, scheduled, restored    int  // destroy: resources gone, keys scheduled, settings restored
	checks                          bool // verify: the rows are checks that pass or fail
}

func (r *runState) tally() tally {
	t := tally{checks: r.kind == runVerify}
	for _, rw := range r.rows {
		switch {
		case rw.id == verifyCleanup && t.checks && rw.state != rowFailed:
			continue // removing the canaries is not a check
		case rw.folded():
			t.nothing++
			continue
		case (rw.action == steps.ActionKeep || rw.action == steps.ActionInSync) && rw.state != rowFailed:
			continue // not known to act (yet)
		}
		t.total++
		switch rw.state {
		case rowDone:
			t.done++
			switch {
			case rw.action == steps.ActionRestore:
				t.restored++
			case rw.action == steps.ActionDelete && strings.HasSuffix(rw.id, "/key"):
				t.scheduled++
			case rw.action == steps.ActionDelete:
				t.removed++
			}
		case rowFailed:
			t.failed++
		case rowSkipped:
			t.notStarted++
		}
	}
	return t
}

// countWords says where the steps that act stand: "9 of 11 steps done",
// or once a run ended early "34 done, 2 failed, 7 not started (of 43
// steps)".
func (t tally) countWords(finished bool) string {
	if t.checks {
		return t.checkWords()
	}
	if !finished || (t.failed == 0 && t.notStarted == 0) {
		return fmt.Sprintf("%d of %s done", t.done, plural(t.total, "step", "steps"))
	}
	return fmt.Sprintf("%d done, %d failed, %d not started (of %s)", t.done, t.failed, t.notStarted, plural(t.total, "step", "steps"))
}

// checkWords counts verify's checks as the CLI does: "15 of 16 checks
// passed, 1 failed" (a check not run for want of another passes nothing
// and fails nothing, so it counts as not failed).
func (t tally) checkWords() string {
	s := fmt.Sprintf("%d of %s passed", t.total-t.failed, plural(t.total, "check", "checks"))
	if t.failed > 0 {
		s += fmt.Sprintf(", %d failed", t.failed)
	}
	return s
}

// layout sizes the bar and viewport and redraws the rows into it.
func (r *runState) layout(m *model) {
	r.bar.SetWidth(min(40, max(m.width-30, 10)))
	r.vp.SetWidth(m.width)
	r.vp.SetHeight(m.viewportHeight(r.reserve(m)))
	r.stateW = 0
	for _, rw := range r.rows {
		if rw.state == rowDone {
			r.stateW = max(r.stateW, lipgloss.Width(doneWord(rw)+" "+formatElapsed(rw.elapsed)))
		}
	}
	r.stateW = max(r.stateW, len("not started"), len("running"))
	lines, at := r.lines(m)
	r.vp.SetContent(strings.Join(lines, "\n"))
	if r.follow && at >= 0 {
		r.vp.EnsureVisible(at, 0, 0)
	}
}

// reserve is the number of lines the run screen draws around its rows.
func (r *runState) reserve(m *model) int {
	n := 2 // title and progress lines
	if r.asking || (r.stopping && !r.finished) {
		n++
	}
	if r.finished {
		return n
	}
	return n + min(len(r.notes), 2)
}

// lines renders the rows grouped by region (and, once finished, the
// summary), and the line of the row that changed last.
func (r *runState) lines(m *model) ([]string, int) {
	var regions []string
	seen := map[string]bool{}
	for _, rw := range r.rows {
		if !seen[rw.region] {
			seen[rw.region] = true
			regions = append(regions, rw.region)
		}
	}
	less := regionOrder(r.land.SourceRegion, r.land.ReplicationRegion)
	sort.SliceStable(regions, func(i, j int) bool { return less(regions[i], regions[j]) })
	var out []string
	r.heads = r.heads[:0]
	at := -1
	for _, reg := range regions {
		name := reg
		if name == "" {
			name = "account"
		}
		var section []string
		for i, rw := range r.rows {
			if rw.region != reg || rw.folded() {
				continue
			}
			if i == r.last {
				at = len(out) + 1 + len(section)
			}
			section = append(section, m.rowLines(rw)...)
		}
		if len(section) > 0 { // a region whose steps all had nothing to do has no heading
			out = append(out, m.st.title.Render(name))
			out = append(out, section...)
			for len(r.heads) < len(out) {
				r.heads = append(r.heads, name)
			}
		}
	}
	if n := r.tally().nothing; n > 0 {
		what := "already in sync"
		if r.kind != runApply {
			what = "with nothing to do (gone with their resource, or already gone)"
		}
		out = append(out, m.st.faint.Render(fmt.Sprintf("  · %s %s", plural(n, "step", "steps"), what)))
	}
	if r.finished {
		sum := r.summary(m)
		out = append(out, "")
		for _, n := range r.notes {
			// The journal and how to resume are in the summary, once.
			if strings.HasPrefix(n, "undo journal: ") || strings.HasPrefix(n, "rerun ") || strings.Contains(ansi.Strip(sum), n) {
				continue
			}
			out = append(out, m.st.faint.Render(n))
		}
		out = append(out, strings.Split(sum, "\n")...)
	}
	return out, at
}

// rowLines renders one step: a status mark, its title and resource, and
// its state; failures and retries say why on the next line.
func (m *model) rowLines(rw *row) []string {
	st := m.st
	var mark, state string
	switch rw.state {
	case rowWaiting:
		mark, state = st.faint.Render("·"), st.faint.Render("waiting")
	case rowRunning:
		mark, state = m.spin.View(), "running"
		if rw.total > 0 {
			state = fmt.Sprintf("running %d/%d", rw.done, rw.total)
		}
	case rowRetrying:
		mark, state = st.warn.Render("↻"), st.warn.Render(fmt.Sprintf("retrying (attempt %d)", rw.attempt))
	case rowDone:
		mark, state = st.ok.Render("✓"), st.ok.Render(doneWord(rw)+" "+formatElapsed(rw.elapsed))
	case rowFailed:
		mark, state = st.bad.Render("✗"), st.bad.Render("failed")
	case rowSkipped:
		mark, state = st.faint.Render("–"), st.faint.Render("not started")
	}
	// What the step is about first ("log bucket: Tags"), so a cut name
	// still tells the log bucket from the backup bucket; the resource's
	// name follows where there is room.
	name := rw.title
	if l := componentWord(rw.component); l != "" && !strings.Contains(strings.ToLower(name), l[strings.LastIndex(l, " ")+1:]) {
		name = l + ": " + name
	}
	if rw.resource != "" {
		name += " · " + rw.resource
	}
	// The states line up in a column as wide as the widest one.
	stateW := lipgloss.Width(state)
	if m.run != nil {
		stateW = max(stateW, m.run.stateW)
	}
	room := max(m.width-4-stateW-1, 10)
	name = ansi.Truncate(name, room, "…")
	pad := max(room-lipgloss.Width(name), 0)
	out := []string{"  " + mark + " " + name + strings.Repeat(" ", pad) + " " + state}
	if rw.detail != "" {
		detail := rw.detail
		if rw.state == rowRunning || rw.state == rowSkipped || rw.state == rowDone {
			detail = st.faint.Render(detail)
		}
		for _, l := range strings.Split(wrap(detail, m.width-6), "\n") {
			out = append(out, "      "+l)
		}
	}
	return out
}

func formatElapsed(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Round(100 * time.Millisecond).String()
}

// summary is the end of a run: where its steps stand (the counts of the
// progress rows above), the journal, key deletions, and one way on.
func (r *runState) summary(m *model) string {
	if !r.finished {
		return ""
	}
	st := m.st
	t := r.tally()
	counts := t.countWords(true)
	took := ""
	if r.result != nil {
		took = fmt.Sprintf(" in %s, %s sent to AWS", report.HumanDuration(r.result.Elapsed),
			plural(r.result.MutatingCalls, "change", "changes"))
	}
	var parts []string
	switch {
	case r.stopping:
		parts = append(parts, wrap(st.warn.Render("Stopped after the calls in flight.")+" "+capital(counts)+". The journal records what was done.", m.width-2),
			m.resumeText())
	case r.kind == runVerify && r.err == nil && !r.failedRun():
		parts = append(parts, wrap(st.ok.Render("Verify passed.")+" "+capital(counts)+".", m.width-2))
	case r.kind == runVerify && t.failed > 0:
		parts = append(parts, wrap(st.bad.Render("Verify failed.")+" "+capital(counts)+".", m.width-2))
	case r.err != nil:
		parts = append(parts, st.bad.Render(r.kind.noun()+" failed: ")+m.explain(r.err))
	case r.failedRun():
		parts = append(parts, wrap(st.bad.Render(r.kind.noun()+" finished with failures.")+" "+capital(counts)+".", m.width-2))
	case r.kind == runDestroy:
		line := st.ok.Render("Destroy finished.") + fmt.Sprintf(" %s%s. Removed: %s; scheduled for deletion: %s",
			capital(counts), took, plural(t.removed, "resource", "resources"), plural(t.scheduled, "KMS key", "KMS keys"))
		if t.restored > 0 {
			line += fmt.Sprintf("; restored to their earlier settings: %s (they existed before hanavault)", plural(t.restored, "setting", "settings"))
		}
		parts = append(parts, wrap(line+".", m.width-2))
	default:
		parts = append(parts, wrap(st.ok.Render(r.kind.noun()+" finished.")+" "+capital(counts)+took+".", m.width-2))
	}
	if r.outcome != "" {
		parts = append(parts, wrap(r.outcome, m.width-2))
	}
	if r.result != nil {
		parts = append(parts, strings.TrimRight(report.RenderResultDetails(r.result, reportTheme(st.look), m.width), "\n"))
	}
	if r.kind == runApply && r.result != nil && r.err == nil && !r.stopping && !r.failedRun() {
		parts = append(parts, wrap("Next: point AWS Backint Agent on the HANA hosts at it. This prints the settings:", m.width-2),
			m.commandLines(m.cfg.command("backint "+r.land.SID)))
	}
	if r.failedRun() && r.kind == runApply {
		parts = append(parts, "r retries the apply; u rolls back what this run created.")
	}
	return strings.Join(parts, "\n")
}

func (m *model) runView() string {
	r := m.run
	st := m.st
	t := r.tally()
	frac := 0.0
	if t.total > 0 {
		frac = float64(t.done) / float64(t.total)
	}
	head := fmt.Sprintf("%s %s · %s → %s", r.kind.verb(), r.land.SID, r.land.SourceRegion, r.land.ReplicationRegion)
	if r.finished {
		head = r.kind.noun() + " of " + r.land.SID
	}
	var b strings.Builder
	b.WriteString(st.title.Render(head) + "\n")
	b.WriteString(r.bar.ViewAs(frac) + "  " + t.barWords(r.finished) + "\n")
	b.WriteString(r.stickyHeading(m) + "\n")
	var notes []string // once finished, the notes are above the summary
	if !r.finished {
		notes = r.notes[max(len(r.notes)-2, 0):]
	}
	for _, n := range notes {
		b.WriteString(st.faint.Render(ansi.Truncate(n, m.width, "…")) + "\n")
	}
	switch {
	case r.asking:
		b.WriteString(st.warn.Render("Stop after the calls in flight? y/n") + "\n")
	case r.stopping && !r.finished:
		b.WriteString(st.warn.Render("Stopping after the calls in flight… (ctrl+c again leaves now)") + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// componentWord is a short name for a step's component, put before its
// title on the run screen.
func componentWord(c string) string {
	switch c {
	case "backup-key", "key":
		return "key"
	case "backup-bucket", "bucket":
		return "backup bucket"
	case "log-bucket":
		return "log bucket"
	case "replication-role", "role":
		return "role"
	case "replication":
		return "replication"
	}
	return ""
}

// barWords is countWords short enough for beside the progress bar.
func (t tally) barWords(finished bool) string {
	if t.checks {
		return t.checkWords()
	}
	s := fmt.Sprintf("%d of %d steps done", t.done, t.total)
	if finished && t.notStarted > 0 {
		s += fmt.Sprintf(" · %d not started", t.notStarted)
	}
	if t.failed > 0 {
		s += fmt.Sprintf(" · %d failed", t.failed)
	}
	return s
}

// capital starts s with a capital letter.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// stickyHeading is the rows' viewport with the region heading of its top
// line kept in sight: scrolled into a region, its heading takes the top
// line instead of a row.
func (r *runState) stickyHeading(m *model) string {
	view := r.vp.View()
	top := r.vp.YOffset()
	if top <= 0 || top >= len(r.heads) {
		return view
	}
	lines := strings.Split(view, "\n")
	head := m.st.title.Render(r.heads[top])
	if ansi.Strip(lines[0]) == r.heads[top] {
		return view
	}
	lines[0] = head + m.st.faint.Render(" (continued)")
	return strings.Join(lines, "\n")
}

// doneWord says what a finished step did, as the text output says it.
func doneWord(rw *row) string {
	if w := report.StepDoneWord(rw.id, rw.action); w != "" {
		return w
	}
	if strings.HasPrefix(rw.id, "verify/") && rw.id != verifyCleanup {
		return "passed"
	}
	return "done"
}
