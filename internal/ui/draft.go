package ui

// The form's life cycle around the user: ctrl+c asks before leaving and
// keeps the answers as a draft, esc goes back one page, and "New
// landscape" offers the draft, starts empty otherwise, and sends a SID
// that already exists to that landscape.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// draftFile is where unfinished answers are kept between runs: beside the
// journals of the account they are for (the sandbox's own directory in
// the sandbox). "" when the wizard has no state directory.
func (c Config) draftFile() string {
	if c.StateDir == "" {
		return ""
	}
	dir := c.StateDir
	if c.Sandbox {
		dir = filepath.Join(dir, "sandbox")
	}
	return filepath.Join(dir, "draft-landscape.json")
}

// saveDraft keeps the form's answers in draftFile; it returns the file
// ("" when there is none to write to).
func (m *model) saveDraft() (string, error) {
	path := m.cfg.draftFile()
	if path == "" || m.wiz == nil {
		return "", nil
	}
	data, err := json.MarshalIndent(m.wiz.p, "", "  ")
	if err != nil {
		return "", fmt.Errorf("save the draft: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("save the draft: %w", err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("save the draft: %w", err)
	}
	return path, nil
}

// loadDraft reads the answers a previous run left in draftFile.
func (m *model) loadDraft() (*params, bool) {
	path := m.cfg.draftFile()
	if path == "" {
		return nil, false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	p := &params{}
	if json.Unmarshal(data, p) != nil {
		return nil, false
	}
	return p, true
}

// dropDraft forgets the draft, in memory and on disk.
func (m *model) dropDraft() {
	if path := m.cfg.draftFile(); path != "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
			m.flash = "Could not remove the draft: " + err.Error()
		}
	}
}

// hasDraft reports whether the form holds answers not yet submitted.
func (w *wizard) hasDraft() bool {
	return w != nil && w.form != nil && w.form.State == huh.StateNormal
}

// draftWords describes a draft in a few words ("PRD, eu-central-1 →
// eu-west-1").
func draftWords(p *params) string {
	sid := p.SID
	if sid == "" {
		sid = "no SID yet"
	}
	return fmt.Sprintf("%s, %s → %s", sid, p.Source, p.Replication)
}

// newLandscape is the home screen's "New landscape": it offers a draft
// left in this run or a previous one, and otherwise starts empty.
func (m *model) newLandscape() tea.Cmd {
	var draft *params
	switch {
	case m.wiz.hasDraft():
		draft = m.wiz.p
	default:
		if p, ok := m.loadDraft(); ok {
			draft = p
		}
	}
	if draft == nil {
		return m.freshWizard()
	}
	choice := "resume"
	sel := huh.NewSelect[string]().
		Title("You have unfinished answers ("+draftWords(draft)+")").
		Options(huh.NewOption("Resume them", "resume"), huh.NewOption("Start empty", "empty")).
		Value(&choice)
	return m.openDialog(sel, func(m *model) tea.Cmd {
		if choice == "empty" {
			m.dropDraft()
			return m.freshWizard()
		}
		if !m.wiz.hasDraft() || m.wiz.p != draft {
			m.wiz = newWizard(spec.Landscape{})
			m.wiz.p = draft
		}
		return m.openWizard()
	}, nil)
}

// freshWizard opens an empty form.
func (m *model) freshWizard() tea.Cmd {
	m.wiz = nil
	return m.openWizard()
}

// askLeave is ctrl+c in the form: it asks first, and leaving keeps the
// answers as a draft. A second ctrl+c while asking leaves at once.
func (m *model) askLeave() tea.Cmd {
	if m.leaving {
		return m.leave()
	}
	m.leaving = true
	leave := true
	c := huh.NewConfirm().
		Title("Leave hanavault?").
		Description("Your answers are kept as a draft: New landscape offers to resume them.").
		Affirmative("Leave").Negative("Stay").Value(&leave)
	return m.openDialog(c, func(m *model) tea.Cmd {
		m.leaving = false
		if leave {
			return m.leave()
		}
		return nil
	}, func(m *model) tea.Cmd {
		m.leaving = false
		return nil
	})
}

// leave saves the draft and ends the wizard as interrupted.
func (m *model) leave() tea.Cmd {
	if path, err := m.saveDraft(); err != nil {
		m.note("%v", err)
	} else if path != "" {
		m.note("Your answers are kept as a draft in %s; New landscape offers to resume them.", path)
	}
	return tea.Interrupt
}

// prevPage is the index of the page before the current one that the
// form shows, or -1.
func (w *wizard) prevPage() int {
	for j := w.page() - 1; j >= 0; j-- {
		if !w.hidden(w.pages[j].fields) {
			return j
		}
	}
	return -1
}

// firstPage reports whether the form is on the first page it shows.
func (w *wizard) firstPage() bool { return w.prevPage() < 0 }

// formBack is esc in the form: back one page, or home from the first
// page (the answers stay, as a draft). A page with errors is not left.
func (m *model) formBack() tea.Cmd {
	w := m.wiz
	if w.firstPage() {
		m.screen = scrHome
		return nil
	}
	cmd, stay := w.holdInvalidPage(m)
	if stay {
		return cmd
	}
	w.form.GetFocusedField().Blur()
	return tea.Batch(w.form.PrevGroup(), w.sync(m, true))
}

// knownSID returns the known landscape with the SID the form holds.
func (m *model) knownSID() (steps.KnownLandscape, bool) {
	sid := m.wiz.p.SID
	for _, k := range m.disc.known {
		if k.SID == sid {
			return k, true
		}
	}
	return steps.KnownLandscape{}, false
}

// existingSID is enter on a SID that already exists: it offers that
// landscape instead of planning it again as if it were new.
func (m *model) existingSID(k steps.KnownLandscape) tea.Cmd {
	choice := "status"
	sel := huh.NewSelect[string]().
		Title(k.SID+" already exists in this account ("+k.SourceRegion+" → "+k.ReplicationRegion+")").
		Options(huh.NewOption("Show its status", "status"),
			huh.NewOption("Apply it again (plan first)", "apply"),
			huh.NewOption("Choose another SID", "other")).
		Value(&choice)
	return m.openDialog(sel, func(m *model) tea.Cmd {
		switch choice {
		case "status":
			return m.openStatus(k, scrHome)
		case "apply":
			return m.openPlanFor(k)
		}
		return nil
	}, nil)
}
