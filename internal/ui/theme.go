package ui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"
)

// look is what decides how the wizard is drawn: background and colour.
type look struct {
	isDark  bool
	noColor bool
}

// styles are the wizard's own styles for one look.
type styles struct {
	look
	title, header, faint, ok, warn, bad, accent, selected, banner, help lipgloss.Style
}

func newStyles(lk look) styles {
	s := styles{look: lk}
	if lk.noColor {
		plain := lipgloss.NewStyle()
		s.title, s.header, s.faint, s.ok, s.warn, s.bad, s.accent, s.selected, s.help =
			plain.Bold(true), plain, plain, plain, plain, plain, plain, plain.Bold(true), plain
		s.banner = plain.Bold(true)
		return s
	}
	c := lipgloss.LightDark(lk.isDark)
	s.title = lipgloss.NewStyle().Bold(true).Foreground(c(lipgloss.Color("#5A3FC0"), lipgloss.Color("#B4A6FF")))
	s.header = lipgloss.NewStyle().Foreground(c(lipgloss.Color("#3C3C3C"), lipgloss.Color("#D0D0D0")))
	s.faint = lipgloss.NewStyle().Foreground(c(lipgloss.Color("#767676"), lipgloss.Color("#8A8A8A")))
	s.ok = lipgloss.NewStyle().Foreground(c(lipgloss.Color("#1E7D32"), lipgloss.Color("#7BD88F")))
	s.warn = lipgloss.NewStyle().Foreground(c(lipgloss.Color("#9A6700"), lipgloss.Color("#F0C060")))
	s.bad = lipgloss.NewStyle().Foreground(c(lipgloss.Color("#B3261E"), lipgloss.Color("#FF7A70")))
	s.accent = lipgloss.NewStyle().Foreground(c(lipgloss.Color("#0B61A4"), lipgloss.Color("#6CB6FF")))
	s.selected = lipgloss.NewStyle().Bold(true).Foreground(c(lipgloss.Color("#5A3FC0"), lipgloss.Color("#E0D8FF")))
	s.banner = lipgloss.NewStyle().Bold(true).
		Foreground(lipgloss.Color("#1A1A1A")).
		Background(c(lipgloss.Color("#F0C060"), lipgloss.Color("#F0C060"))).Padding(0, 1)
	s.help = lipgloss.NewStyle()
	return s
}

// helpModel returns a bubbles/help model styled for the look.
func (s styles) helpModel(width int) help.Model {
	h := help.New()
	if s.noColor {
		h.Styles = help.Styles{}
	} else {
		h.Styles = help.DefaultStyles(s.isDark)
	}
	h.SetWidth(width)
	return h
}

// formTheme is the huh theme for the look.
func (s styles) formTheme() huh.Theme {
	if s.noColor {
		return huh.ThemeFunc(plainFormTheme)
	}
	return huh.ThemeFunc(huh.ThemeCharm)
}

// background is the colour a BackgroundColorMsg sent to a huh form carries,
// to tell it which background it draws on (huh never asks the terminal).
func (s styles) background() color.Color {
	if s.isDark {
		return color.Black
	}
	return color.White
}

// plainFormTheme is huh's base theme for no colour: the chosen button of
// a confirmation is marked with brackets, since without colour the
// buttons would look the same ("[Apply]  Cancel ").
func plainFormTheme(isDark bool) *huh.Styles {
	t := huh.ThemeBase(isDark)
	button := lipgloss.NewStyle().MarginRight(1)
	t.Focused.FocusedButton = button.Transform(func(s string) string { return "[" + s + "]" })
	t.Focused.BlurredButton = button.Transform(func(s string) string { return " " + s + " " })
	t.Blurred.FocusedButton, t.Blurred.BlurredButton = t.Focused.FocusedButton, t.Focused.BlurredButton
	return t
}
