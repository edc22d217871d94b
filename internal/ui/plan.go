package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// newViewport is a scrollable body. Half-page keys are ctrl+u/ctrl+d only,
// so u and d stay free for the screens' actions. Bodies come wrapped to
// the window; the viewport never wraps them again, since the only lines
// wider than the window are names, ARNs, paths or commands that must not
// be cut: ←/→ scroll to their ends.
func newViewport() viewport.Model {
	vp := viewport.New()
	vp.SoftWrap = false
	vp.KeyMap.HalfPageUp.SetKeys("ctrl+u")
	vp.KeyMap.HalfPageDown.SetKeys("ctrl+d")
	vp.KeyMap.Left.SetKeys("left")
	vp.KeyMap.Right.SetKeys("right")
	vp.SetHorizontalStep(20)
	return vp
}

// jump handles g/home (top) and G/end (bottom) on a viewport and reports
// whether the key was one of them.
func jump(vp *viewport.Model, msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "g", "home":
		vp.GotoTop()
	case "G", "end":
		vp.GotoBottom()
	default:
		return false
	}
	return true
}

// scrollLine is the viewport's position, for under the body.
func scrollLine(m *model, vp viewport.Model) string {
	var parts []string
	if vp.TotalLineCount() > vp.Height() {
		parts = append(parts, fmt.Sprintf("%d%% · ↑/↓ pgup/pgdn g/G", int(vp.ScrollPercent()*100)))
	}
	if lipgloss.Width(vp.GetContent()) > vp.Width() {
		parts = append(parts, "←/→ long lines")
	}
	if len(parts) == 0 {
		return ""
	}
	return m.st.faint.Render("── " + strings.Join(parts, " · "))
}

// planState is the plan screen, its document list and viewer.
type planState struct {
	plan *steps.Plan
	// back is where esc goes: the form, home or status.
	back    screen
	vp      viewport.Model
	docs    int
	doc     viewport.Model
	confirm bool
}

// showPlan shows a plan of l.
func (m *model) showPlan(l spec.Landscape, p *steps.Plan, back screen) tea.Cmd {
	m.land = l
	m.plan = &planState{plan: p, back: back, vp: newViewport(), doc: newViewport()}
	m.plan.layout(m)
	m.screen = scrPlan
	return nil
}

func (p *planState) layout(m *model) {
	p.vp.SetWidth(m.width)
	reserve := 2 // the totals and the scroll line
	if p.back == scrForm {
		reserve = 3 // and where applying saves the answers
	}
	p.vp.SetHeight(m.viewportHeight(reserve))
	p.vp.SetContent(planBody(p.plan, m.land, m.st.look, m.width))
	p.doc.SetWidth(m.width)
	p.doc.SetHeight(m.viewportHeight(1))
	if p.docs < len(p.plan.Documents) {
		p.doc.SetContent(docBody(p.plan.Documents[p.docs], m.st.look))
	}
}

func (m *model) planBindings() []key.Binding {
	k := m.keys
	switch m.screen {
	case scrDocs:
		view := k.Open
		view.SetHelp("enter", "view")
		return []key.Binding{k.Up, k.Down, view, k.Back, k.Interrupt}
	case scrDoc:
		return []key.Binding{k.Up, k.Down, k.PageDown, k.Back, k.Interrupt}
	}
	ap := k.Apply
	ap.SetHelp("a", "apply…")
	return []key.Binding{k.Up, k.Down, k.Docs, ap, k.Back, k.Interrupt}
}

func (m *model) planKey(msg tea.KeyPressMsg) tea.Cmd {
	p := m.plan
	k := m.keys
	switch m.screen {
	case scrDocs:
		switch {
		case key.Matches(msg, k.Up):
			p.docs = max(p.docs-1, 0)
		case key.Matches(msg, k.Down):
			p.docs = min(p.docs+1, len(p.plan.Documents)-1)
		case key.Matches(msg, k.Open):
			p.doc.SetContent(docBody(p.plan.Documents[p.docs], m.st.look))
			p.doc.GotoTop()
			m.screen = scrDoc
		case key.Matches(msg, k.Back):
			m.screen = scrPlan
		}
		return nil
	case scrDoc:
		if key.Matches(msg, k.Back) {
			m.screen = scrDocs
			return nil
		}
		if jump(&p.doc, msg) {
			return nil
		}
		var cmd tea.Cmd
		p.doc, cmd = p.doc.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, k.Docs):
		if len(p.plan.Documents) == 0 {
			m.flash = "This plan writes no policy documents."
			return nil
		}
		m.screen = scrDocs
		return nil
	case key.Matches(msg, k.Apply):
		return m.confirmApply()
	case key.Matches(msg, k.Back):
		return m.backTo(p.back)
	case jump(&p.vp, msg):
		return nil
	}
	var cmd tea.Cmd
	p.vp, cmd = p.vp.Update(msg)
	return cmd
}

// confirmApply asks before applying; the answer defaults to No.
func (m *model) confirmApply() tea.Cmd {
	p := m.plan
	p.confirm = false
	n := p.plan.Counts()
	account := p.plan.Identity.Account
	if account == "" {
		account = m.disc.identity.Account
	}
	desc := fmt.Sprintf("%d to create, %d to update, in %s and %s.",
		n[steps.ActionCreate], n[steps.ActionUpdate], m.land.SourceRegion, m.land.ReplicationRegion)
	c := huh.NewConfirm().
		Title(fmt.Sprintf("Apply this plan to %s in account %s?", m.land.SID, account)).
		Description(desc).
		Affirmative("Apply").Negative("Cancel").Value(&p.confirm)
	return m.openDialog(c, func(m *model) tea.Cmd {
		if !m.plan.confirm {
			m.flash = "Not applied."
			return nil
		}
		if m.plan.back == scrForm {
			if err := m.saveAnswers(m.land); err != nil {
				return m.fail(err)
			}
		}
		return m.startRun(runApply, m.plan.plan.Changes)
	}, nil)
}

func (m *model) planView() string {
	p := m.plan
	switch m.screen {
	case scrDocs:
		s := m.st.title.Render("Policy documents this plan writes") + "\n\n"
		rows := make([]string, len(p.plan.Documents))
		for i, d := range p.plan.Documents {
			line := ansi.Truncate(fmt.Sprintf("%s  %s", d.Name, m.st.faint.Render(d.Region)), m.width-2, "…")
			if i == p.docs {
				rows[i] = m.st.selected.Render("› " + line)
			} else {
				rows[i] = "  " + line
			}
		}
		return s + strings.Join(window(rows, p.docs, m.viewportHeight(3)), "\n")
	case scrDoc:
		return p.doc.View() + "\n" + scrollLine(m, p.doc)
	}
	// The plan's totals stay in sight however far the plan is scrolled.
	n := p.plan.Counts()
	totals := fmt.Sprintf("%d to create · %d to update · %d in sync", n[steps.ActionCreate], n[steps.ActionUpdate], n[steps.ActionInSync])
	if w := len(p.plan.Warnings); w > 0 {
		totals += " · " + m.st.warn.Render(plural(w, "warning", "warnings"))
	}
	line := m.st.title.Render(totals)
	if sl := scrollLine(m, p.vp); sl != "" {
		line += "  " + sl
	}
	s := p.vp.View() + "\n" + ansi.Truncate(line, m.width, "…")
	if p.back == scrForm {
		// The path on a line of its own, whole: people copy it.
		s += "\n" + m.st.faint.Render("Applying saves the answers to:") + "\n" + m.cfg.answersFile(m.land.SID)
	}
	return s
}
