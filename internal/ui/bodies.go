package ui

// The bodies of the plan, status, destroy and result screens come from
// the report package's renderers, so the wizard, the plain reporter and
// accessible mode say the same things.

import (
	"io"

	"github.com/hanavault/hanavault/internal/report"
	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// reportTheme is the report theme for a look.
func reportTheme(lk look) report.Theme {
	if lk.noColor {
		return report.PlainTheme()
	}
	return report.ColorTheme(lk.isDark)
}

func planBody(p *steps.Plan, l spec.Landscape, lk look, width int) string {
	return report.RenderPlan(p, l, reportTheme(lk), width)
}

func statusBody(s *steps.Status, lk look, width int) string {
	return report.RenderStatus(s, reportTheme(lk), width)
}

func destroyBody(d *steps.DestroyPreview, lk look, width int) string {
	return report.RenderDestroyPreview(d, reportTheme(lk), width)
}

func resultBody(r *steps.Result, k runKind, lk look, width int) string {
	return report.RenderResult(r, k.op(), reportTheme(lk), width)
}

// textSink prints one line per engine event, for accessible mode.
func textSink(w io.Writer) steps.Sink {
	return report.NewTextSink(w, report.PlainTheme())
}

// regionOrder sorts regions source, replication, then global.
func regionOrder(src, dst string) func(a, b string) bool {
	rank := func(r string) int {
		switch r {
		case src:
			return 0
		case dst:
			return 1
		case "global":
			return 2
		}
		return 3
	}
	return func(a, b string) bool {
		if rank(a) != rank(b) {
			return rank(a) < rank(b)
		}
		return a < b
	}
}

// docBody renders one policy document for the viewer.
func docBody(d steps.Document, lk look) string {
	st := newStyles(lk)
	return st.title.Render(d.Name) + "\n" + st.faint.Render(d.Region+" · "+d.Resource) + "\n\n" + d.JSON
}
