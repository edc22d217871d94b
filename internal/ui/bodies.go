package ui

// The bodies of the plan, status, destroy and result screens come from
// the report package's renderers, so the wizard, the plain reporter and
// accessible mode say the same things.

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

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
	return report.RenderPlan(withFormLabels(p), l, reportTheme(lk), width)
}

// formLabels are the wizard's names for the landscape keys that plan
// warnings name, so a warning points at a question the wizard asks.
var formLabels = map[string]string{
	"lifecycle.transitionDays":           "Archive backups after",
	"lifecycle.archiveDays":              "Keep archived backups for",
	"lifecycle.noncurrentExpirationDays": "Delete replaced versions after",
	"lifecycle.storageClass":             "Archive storage class",
	"recoveryWindowDays":                 "Recovery window",
	"requireEncryptionHeader":            "Deny uploads without an encryption header",
	"kmsAdminRole":                       "KMS admin role",
	"originalBucketName":                 "Backup bucket",
	"replicationBucketName":              "Replica bucket",
	"originalLogBucketName":              "Access-log bucket (source region)",
	"replicationLogBucketName":           "Access-log bucket (replication region)",
}

// withFormLabels returns p with its warnings naming the form's questions
// instead of landscape.yaml keys.
func withFormLabels(p *steps.Plan) *steps.Plan {
	if len(p.Warnings) == 0 {
		return p
	}
	q := *p
	q.Warnings = make([]steps.Warning, len(p.Warnings))
	keys := make([]string, 0, len(formLabels))
	for k := range formLabels {
		keys = append(keys, k)
	}
	// Longest first, so "lifecycle.archiveDays" goes before "archiveDays".
	sort.Slice(keys, func(i, j int) bool { return len(keys[i]) > len(keys[j]) })
	for i, w := range p.Warnings {
		if l, ok := formLabels[w.Field]; ok {
			w.Field = l
		}
		for _, k := range keys {
			w.Message = strings.ReplaceAll(w.Message, k, "“"+formLabels[k]+"”")
			if short, ok := strings.CutPrefix(k, "lifecycle."); ok {
				w.Message = strings.ReplaceAll(w.Message, short, "“"+formLabels[k]+"”")
			}
		}
		q.Warnings[i] = w
	}
	return &q
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

// textSink prints the engine's events for accessible mode as sentences
// about resources, not step IDs: "Versioning of backup bucket
// hana-backup-prd-… in eu-central-1: created (0.3s)." Starts are not
// announced; what ends, fails, retries or is not started is.
func textSink(w io.Writer) steps.Sink {
	var mu sync.Mutex
	return steps.SinkFunc(func(e steps.Event) {
		what := e.Title
		if what == "" {
			what = e.StepID
		}
		if c := componentWord(e.Component); c != "" && !strings.Contains(strings.ToLower(what), c[strings.LastIndex(c, " ")+1:]) {
			what += " of " + c
		}
		if e.Resource != "" {
			what += " " + e.Resource
		}
		if e.Region != "" && e.Region != "global" {
			what += " in " + e.Region
		}
		var line string
		switch e.Kind {
		case steps.EventDone:
			line = fmt.Sprintf("%s: %s (%s).", what, doneWord(&row{id: e.StepID, action: e.Action}), formatElapsed(e.Elapsed))
			if e.Detail != "" && drStep(e.StepID) {
				line = strings.TrimSuffix(line, ".") + ": " + e.Detail // what the check found, the requests sent
			}
		case steps.EventFailed:
			line = fmt.Sprintf("%s: failed: %s", what, e.Error)
		case steps.EventRetrying:
			line = fmt.Sprintf("%s: retrying (attempt %d): %s", what, e.Attempt, e.Reason)
		case steps.EventSkipped:
			line = fmt.Sprintf("%s: not started", what)
			if e.Reason != "" && e.Reason != "interrupted" {
				line += ": " + e.Reason
			}
		case steps.EventProgress:
			line = fmt.Sprintf("%s: %s (%d of %d).", what, e.Detail, e.Done, e.Total)
		case steps.EventNote:
			line = e.Detail
		default:
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if e.Title != "" {
			line = capital(line)
		}
		_, _ = fmt.Fprintln(w, line)
	})
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
