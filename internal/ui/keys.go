package ui

import "charm.land/bubbles/v2/key"

// keyMap holds every key binding the wizard shows in its help lines.
type keyMap struct {
	Up, Down, PageDown       key.Binding
	Open, New, Status, Apply key.Binding
	Destroy, Refresh, Docs   key.Binding
	Retry, Rollback, Yes, No key.Binding
	Back, Quit, Interrupt    key.Binding
	Cancel                   key.Binding
	Verify, Recall           key.Binding
	// Switch takes the AWS account found after the wizard fell back to
	// the sandbox (home screen only).
	Switch key.Binding
}

func newKeyMap() keyMap {
	b := func(keys []string, k, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(k, desc))
	}
	return keyMap{
		Up:        b([]string{"up", "k"}, "↑/k", "up"),
		Down:      b([]string{"down", "j"}, "↓/j", "down"),
		PageDown:  b([]string{"pgdown", "space", "f"}, "pgdn", "page down"),
		Open:      b([]string{"enter"}, "enter", "open"),
		New:       b([]string{"n"}, "n", "new landscape"),
		Status:    b([]string{"s"}, "s", "status"),
		Apply:     b([]string{"a"}, "a", "apply"),
		Destroy:   b([]string{"d"}, "d", "destroy"),
		Refresh:   b([]string{"r"}, "r", "refresh"),
		Docs:      b([]string{"p"}, "p", "policy documents"),
		Retry:     b([]string{"r"}, "r", "retry"),
		Rollback:  b([]string{"u"}, "u", "roll back this run"),
		Yes:       b([]string{"y"}, "y", "yes"),
		No:        b([]string{"n", "esc"}, "n", "no"),
		Back:      b([]string{"esc", "q"}, "esc", "back"),
		Quit:      b([]string{"q", "esc"}, "q", "quit"),
		Interrupt: b([]string{"ctrl+c"}, "ctrl+c", "quit"),
		Cancel:    b([]string{"esc"}, "esc", "cancel"),
		Verify:    b([]string{"v"}, "v", "verify DR"),
		Recall:    b([]string{"c"}, "c", "recall archived"),
		Switch:    b([]string{"w"}, "w", "switch to AWS"),
	}
}
