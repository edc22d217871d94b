// Package report turns the engine's data into output: plain or coloured
// text for people (RenderPlan, RenderStatus, RenderDestroyPreview,
// RenderResult), one line per event for logs and pipes (NewTextSink) and
// JSON for scripts (NewJSONSink, WriteJSON and the stream line types).
//
// Every renderer is a pure function of its arguments: no terminal queries,
// no clock, no I/O besides the writer it is given. Styling comes from a
// Theme; PlainTheme renders no escape codes at all, and ColorTheme's
// output has the same layout once the escape codes are stripped. The
// package imports lipgloss for styles but never bubbletea or huh.
package report
