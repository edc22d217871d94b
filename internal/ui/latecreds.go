package ui

// Credentials found late: when Config.Open (the credential lookup) has not
// answered within Config.FallbackAfter, the wizard opens Config.Fallback
// (the sandbox) at once and lets the lookup go on. What it finds is offered
// on the home screen, never switched to on its own.

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/steps"
)

// lateLookup is the account lookup that goes on behind a fallback session.
type lateLookup struct {
	// falling is set once Fallback was started.
	falling bool
	// pending is set while Open still runs behind the fallback session.
	pending bool
	// offer is the account Open found, with its identity, until the user
	// switches to it.
	offer   *Session
	offerID steps.Identity
	// err is why the lookup, or the credentials it found, failed; what
	// says which of the two.
	err  error
	what string
}

type (
	// fallbackDueMsg says the grace period for Config.Open is over.
	fallbackDueMsg struct{}
	// fallbackMsg carries the session Config.Fallback opened.
	fallbackMsg struct {
		s   Session
		err error
	}
	// offerMsg carries who the late session's credentials belong to.
	offerMsg struct {
		s   Session
		id  steps.Identity
		err error
	}
)

// fallbackTimer starts the grace period for Open when there is a fallback.
func (m *model) fallbackTimer() tea.Cmd {
	if m.cfg.Fallback == nil {
		return nil
	}
	after := m.cfg.FallbackAfter
	if after <= 0 {
		after = DefaultFallbackAfter
	}
	return tea.Tick(after, func(time.Time) tea.Msg { return fallbackDueMsg{} })
}

// fallbackDue opens the fallback session unless Open has answered.
func (m *model) fallbackDue() tea.Cmd {
	if !m.resolving || m.late.falling || m.cfg.Fallback == nil {
		return nil
	}
	m.late.falling = true
	fallback, ctx := m.cfg.Fallback, m.ctx
	return func() tea.Msg {
		s, err := fallback(ctx)
		return fallbackMsg{s, err}
	}
}

// fellBack works in the fallback session while Open goes on; a fallback
// that failed, or came after Open answered, is dropped (the screen keeps
// waiting for Open, as without a fallback).
func (m *model) fellBack(msg fallbackMsg) tea.Cmd {
	if !m.resolving || msg.err != nil {
		return nil
	}
	m.resolving = false
	m.late.pending = true
	return m.useSession(msg.s)
}

// lateSession handles Open's answer behind a fallback session: a sandbox
// answer (no credentials) changes nothing but the banner's reason; an
// account is checked with its identity before it is offered; an error is
// shown on the home screen.
func (m *model) lateSession(msg sessionMsg) tea.Cmd {
	m.late.pending = false
	// The fallback's reason says the search goes on; it is over now.
	m.cfg.SandboxReason = ""
	switch {
	case msg.err != nil:
		m.late.err, m.late.what = msg.err, "Looking for AWS credentials failed"
		return nil
	case msg.s.Sandbox:
		m.cfg.SandboxReason = msg.s.SandboxReason
		return nil
	}
	s, ctx := msg.s, m.ctx
	return func() tea.Msg {
		id, err := s.Engine.Identity(ctx)
		return offerMsg{s, id, err}
	}
}

// offered records the account to offer, or why its credentials fail.
func (m *model) offered(msg offerMsg) tea.Cmd {
	if msg.err != nil {
		m.late.err, m.late.what = msg.err, "AWS credentials were found but do not work"
		return nil
	}
	m.late.offer, m.late.offerID = &msg.s, msg.id
	return nil
}

// switchToOffer replaces the fallback session with the account found, as
// a normal Open answer would; unfinished answers of the form are kept as
// the fallback session's draft first.
func (m *model) switchToOffer() tea.Cmd {
	s := *m.late.offer
	m.late.offer = nil
	m.flash = "Switched to AWS account " + m.late.offerID.Account + "."
	if m.wiz.hasDraft() {
		if path, err := m.saveDraft(); err != nil {
			m.flash += " " + err.Error()
		} else if path != "" {
			m.flash += " Your unfinished answers stay in " + path + "."
		}
	}
	m.wiz = nil
	m.home = homeState{}
	m.disc = newDiscovery()
	m.disc.cat.setWidth(m.width)
	return m.useSession(s)
}

// useSession swaps in s and starts discovery: Open's answer, the fallback
// session, or the account offered later.
func (m *model) useSession(s Session) tea.Cmd {
	m.cfg = m.cfg.WithSession(s)
	m.rerender()
	return m.discover()
}

// lateNotice is what the home screen says about the lookup behind a
// fallback session: the account found and how to switch to it, or why the
// lookup failed; "" when there is nothing to say.
func (m *model) lateNotice() string {
	st := m.st
	switch {
	case m.late.offer != nil:
		id := m.late.offerID
		region := m.late.offer.Region
		if region == "" {
			region = "no region set"
		}
		text := fmt.Sprintf("AWS credentials found: account %s (%s) in %s. Press w to switch to it; the sandbox stays as it is.",
			id.Account, report.CallerWords(id.Arn, 0), region)
		tag := st.ok.Render("● ")
		return lipgloss.JoinHorizontal(lipgloss.Top, tag, wrap(text, m.width-lipgloss.Width(tag))) + "\n"
	case m.late.err != nil:
		h := m.cfg.hint(m.late.err)
		text := m.late.what + ": " + h.Problem
		if h.Fix != "" {
			text += "\nFix: " + h.Fix
		}
		tag := st.bad.Render("✗ ")
		return lipgloss.JoinHorizontal(lipgloss.Top, tag, wrap(strings.TrimSpace(text), m.width-lipgloss.Width(tag))) + "\n"
	}
	return ""
}
