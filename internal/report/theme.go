package report

import (
	"charm.land/lipgloss/v2"
)

// Theme holds the styles the renderers use. The zero Theme and PlainTheme
// apply no styling at all, so their output is plain text for pipes, logs
// and screen readers.
type Theme struct {
	Title   lipgloss.Style // document titles ("Plan for PRD …")
	Heading lipgloss.Style // section and region headings
	Label   lipgloss.Style // resource headings inside a region

	Create  lipgloss.Style // + create
	Update  lipgloss.Style // ~ update
	InSync  lipgloss.Style // = in sync
	Delete  lipgloss.Style // - delete
	Restore lipgloss.Style // < restore

	OK      lipgloss.Style // status: ok, step done
	Drift   lipgloss.Style // status: drift, step retrying
	Missing lipgloss.Style // status: missing

	Warning lipgloss.Style
	Error   lipgloss.Style
	Faint   lipgloss.Style // secondary text: IDs, elapsed times, hints
	Key     lipgloss.Style // key hints and commands to type

	styled bool
}

// PlainTheme returns a theme that applies no styling.
func PlainTheme() Theme { return Theme{} }

// ColorTheme returns hanavault's colour theme for a dark or light terminal
// background. Colours are full RGB; write the output through a
// colorprofile.Writer (or let Bubble Tea render it) so they are reduced to
// what the terminal supports.
func ColorTheme(isDark bool) Theme {
	ld := lipgloss.LightDark(isDark)
	green := ld(lipgloss.Color("#1A7F37"), lipgloss.Color("#56D364"))
	yellow := ld(lipgloss.Color("#9A6700"), lipgloss.Color("#E3B341"))
	red := ld(lipgloss.Color("#CF222E"), lipgloss.Color("#FF7B72"))
	blue := ld(lipgloss.Color("#0550AE"), lipgloss.Color("#79C0FF"))
	purple := ld(lipgloss.Color("#8250DF"), lipgloss.Color("#D2A8FF"))
	grey := ld(lipgloss.Color("#6E7781"), lipgloss.Color("#8B949E"))
	accent := ld(lipgloss.Color("#5A32A3"), lipgloss.Color("#BC8CFF"))

	s := lipgloss.NewStyle
	return Theme{
		Title:   s().Bold(true).Foreground(accent),
		Heading: s().Bold(true),
		Label:   s().Foreground(blue),
		Create:  s().Foreground(green),
		Update:  s().Foreground(yellow),
		InSync:  s().Foreground(grey),
		Delete:  s().Foreground(red),
		Restore: s().Foreground(purple),
		OK:      s().Foreground(green),
		Drift:   s().Foreground(yellow),
		Missing: s().Foreground(red),
		Warning: s().Foreground(yellow).Bold(true),
		Error:   s().Foreground(red).Bold(true),
		Faint:   s().Foreground(grey),
		Key:     s().Foreground(blue).Bold(true),
		styled:  true,
	}
}

// paint renders s in st, or returns s unchanged for a plain theme.
func (th Theme) paint(st lipgloss.Style, s string) string {
	if !th.styled || s == "" {
		return s
	}
	return st.Render(s)
}
