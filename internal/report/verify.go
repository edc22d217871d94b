package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/verify"
)

// KindVerify is the last line of a verify --json stream.
const KindVerify = "verify"

// VerifyLine is the last line of a verify --json stream: the evidence
// report, and where it was written.
type VerifyLine struct {
	Kind     string         `json:"kind"` // "verify"
	Report   *verify.Report `json:"report"`
	Markdown string         `json:"markdownFile,omitempty"`
	JSON     string         `json:"jsonFile,omitempty"`
	Error    string         `json:"error,omitempty"`
}

// RenderVerifyMarkdown is the evidence report of a verification for
// auditors: when, which account and caller, the resources, every check
// with its result, the canary's replication latency and the cleanup.
func RenderVerifyMarkdown(r *verify.Report) string {
	var b strings.Builder
	verdict := "PASSED"
	switch {
	case r.Interrupted:
		verdict = "INTERRUPTED"
	case !r.Passed:
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "# hanavault verify: %s %s\n\n", r.SID, verdict)
	rows := [][2]string{
		{"Time (UTC)", r.Time.UTC().Format(time.RFC3339)},
		{"Account", r.Account},
		{"Caller", code(r.Caller)},
		{"Caller is the EC2 backup role", yesNo(r.CallerIsBackupRole)},
		{"EC2 backup role", code(r.BackupRole)},
		{"Replication role", code(r.ReplicationRole)},
		{"Source bucket", fmt.Sprintf("%s (%s)", code(r.Source.Bucket), r.Source.Region)},
		{"Source key", code(r.Source.KeyARN)},
		{"Replica bucket", fmt.Sprintf("%s (%s)", code(r.Replica.Bucket), r.Replica.Region)},
		{"Replica key", code(r.Replica.KeyARN)},
		{"Replication latency of the canary", latencyWords(r.ReplicationLatency)},
		{"Canary versions removed", cleanupWords(r)},
	}
	b.WriteString("| | |\n|---|---|\n")
	for _, row := range rows {
		fmt.Fprintf(&b, "| %s | %s |\n", row[0], cell(row[1]))
	}
	passed := len(r.Checks) - len(r.Failed())
	fmt.Fprintf(&b, "\n## Checks: %d of %d passed\n\n", passed, len(r.Checks))
	b.WriteString("| Result | ID | Check | Region | Observed | Likely cause |\n|---|---|---|---|---|---|\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", strings.ToUpper(string(c.Result)), code(c.ID), cell(c.Title), cell(c.Region), cell(c.Detail), cell(c.Cause))
	}
	if len(r.Canaries) > 0 {
		b.WriteString("\n## Canary objects\n\n| Upload | Key | Version |\n|---|---|---|\n")
		for _, c := range r.Canaries {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", c.Upload, code(c.Key), code(c.VersionID))
		}
	}
	b.WriteString("\nWritten by `hanavault verify`. The S3 permissions of the EC2 backup role were checked with the IAM policy simulator (iam:SimulatePrincipalPolicy) and the live bucket policies; the key grants with hanavault's policy evaluator on the live key policies and role policies.\n")
	return b.String()
}

// RenderVerify is the terminal summary of a verification: the verdict,
// each failed check with its likely cause, and the latency.
func RenderVerify(r *verify.Report, th Theme, width int) string {
	pg := newPage(width)
	failed := r.Failed()
	head := fmt.Sprintf("Verify of %s: %d of %d checks passed", r.SID, len(r.Checks)-len(failed), len(r.Checks))
	switch {
	case r.Interrupted:
		pg.text("", "", th.paint(th.Title, head)+": "+th.paint(th.Drift, "interrupted"))
	case len(failed) > 0:
		pg.text("", "", th.paint(th.Title, head)+": "+th.paint(th.Error, "not ok"))
	default:
		pg.text("", "", th.paint(th.Title, head)+": "+th.paint(th.OK, "ok"))
	}
	for _, c := range failed {
		pg.item("  "+th.paint(th.Error, "failed")+"  ", c.ID+": "+c.Title+". "+sentence(c.Detail))
		if c.Cause != "" {
			pg.item("          ", "Likely cause: "+sentence(c.Cause))
		}
	}
	if r.ReplicationLatency > 0 {
		pg.text("", "", "Replication latency of the canary: "+HumanDuration(r.ReplicationLatency)+".")
	}
	pg.text("", "", cleanupWords(r)+".")
	return pg.String()
}

func cleanupWords(r *verify.Report) string {
	s := fmt.Sprintf("%d canary versions removed from both buckets", r.CanariesRemoved)
	if r.CanariesKept {
		s += "; this run's canaries kept (--keep-canary)"
	}
	return s
}

func latencyWords(d time.Duration) string {
	if d <= 0 {
		return "not replicated"
	}
	return HumanDuration(d)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func code(s string) string {
	if s == "" {
		return "–"
	}
	return "`" + s + "`"
}

// cell makes text safe inside a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
