package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/google/go-cmp/cmp"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// renderers renders every document with a theme and width, by name.
func renderers() map[string]func(th Theme, width int) string {
	return map[string]func(th Theme, width int) string{
		"plan":    func(th Theme, w int) string { return RenderPlan(freshPlan(), landscape(), th, w) },
		"status":  func(th Theme, w int) string { return RenderStatus(driftStatus(), th, w) },
		"destroy": func(th Theme, w int) string { return RenderDestroyPreview(preview(), th, w) },
		"result":  func(th Theme, w int) string { return RenderResult(destroyResult(), "destroy", th, w) },
	}
}

// checkWidth fails when a line is wider than width, except command lines,
// which are never wrapped so they can be copied whole.
func checkWidth(t *testing.T, out string, width int) {
	t.Helper()
	for i, l := range strings.Split(out, "\n") {
		if f := strings.Fields(ansi.Strip(l)); len(f) <= 2 || f[len(f)-1] == `\` {
			continue // a name, ARN or path (with its bullet) and a command's flag with its value are never cut
		}
		if w := ansi.StringWidth(l); w > width {
			t.Errorf("line %d is %d cells wide (limit %d): %q", i+1, w, width, l)
		}
	}
}

func TestRenderPlan(t *testing.T) {
	out := RenderPlan(freshPlan(), landscape(), PlainTheme(), 80)
	golden.RequireEqual(t, out)
	checkWidth(t, out, 80)
}

func TestRenderPlanVariants(t *testing.T) {
	l := landscape()
	l.RequireEncryptionHeader = true
	l.DeleteMarkerReplication = true
	l.ReplicationTimeControl = true
	l.Lifecycle.StorageClass = "DEEP_ARCHIVE"
	l.Lifecycle.TransitionDays = 30
	p := freshPlan()
	for i := range p.Changes {
		p.Changes[i].Action = steps.ActionInSync
		p.Changes[i].Fields = nil
	}
	p.Warnings = nil
	p.Renamed = []steps.RenamedResource{{Kind: "bucket", Region: "eu-central-1", Name: "basis-hana-backups", Exists: true, PreExisting: true,
		Contents: &steps.BucketContents{Bucket: "basis-hana-backups", Region: "eu-central-1", Exists: true, Versions: 3, Bytes: 4096}, Action: steps.ActionKeep}}
	out := RenderPlan(p, l, PlainTheme(), 60)
	golden.RequireEqual(t, out)
	checkWidth(t, out, 60)
	for _, want := range []string{
		"Plan: 0 to create, 0 to update, 31 in sync. Nothing to do.",
		"uploads that carry no encryption header",
		"Delete markers: replicated.",
		"Replication Time Control: on.",
		"day 30 moves to DEEP_ARCHIVE",
		"gone for good on day 425",
		"Used by this landscape under earlier names (pre-existing)",
		"bucket basis-hana-backups (eu-central-1), pre-existing: holds 3 object versions",
		"destroy restores its settings and keeps it.",
	} {
		if !strings.Contains(unwrap(out), want) {
			t.Errorf("plan does not say %q", want)
		}
	}
	if strings.Contains(out, "Warnings") {
		t.Error("a plan without warnings shows a Warnings section")
	}
}

// unwrap joins wrapped lines so phrases can be searched across breaks.
func unwrap(s string) string {
	fields := strings.Fields(s)
	return strings.Join(fields, " ")
}

func TestRenderStatus(t *testing.T) {
	out := RenderStatus(driftStatus(), PlainTheme(), 80)
	golden.RequireEqual(t, out)
	checkWidth(t, out, 80)
}

// TestRenderStatusDraining: a drain under way shows in the heading and
// with what is left per bucket.
func TestRenderStatusDraining(t *testing.T) {
	s := driftStatus()
	s.Overall = steps.OverallDraining
	s.Draining = []steps.DrainingBucket{
		{Bucket: "hana-backup-prd-111122223333-eu-central-1", Region: "eu-central-1", Versions: 10000, Partial: true},
		{Bucket: "hana-backup-prd-111122223333-eu-west-1", Region: "eu-west-1", Versions: 0},
	}
	out := RenderStatus(s, PlainTheme(), 80)
	golden.RequireEqual(t, out)
	checkWidth(t, out, 80)
}

func TestRenderStatusReplicationStates(t *testing.T) {
	tests := []struct {
		name string
		h    steps.ReplicationHealth
		want string
	}{
		{"not configured", steps.ReplicationHealth{}, "Not configured: new backups are not copied"},
		{"nothing sampled", steps.ReplicationHealth{Configured: true}, "Configured. No recent backups to check yet."},
		{"nothing sampled, with detail", steps.ReplicationHealth{Configured: true, Detail: "no backups in the source bucket yet"}, "Configured; no backups in the source bucket yet. Summary"},
		{"healthy", steps.ReplicationHealth{Configured: true, Sampled: 1, Completed: 1}, "Of the 1 most recent backup object checked: 1 replicated, 0 pending, 0 failed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := driftStatus()
			s.Replication = tt.h
			out := unwrap(RenderStatus(s, PlainTheme(), 80))
			if !strings.Contains(out, tt.want) {
				t.Errorf("status does not say %q:\n%s", tt.want, out)
			}
			if tt.h.Failed == 0 && strings.Contains(out, "never retried") {
				t.Error("status explains failed replication although nothing failed")
			}
		})
	}
}

func TestRenderDestroyPreview(t *testing.T) {
	out := RenderDestroyPreview(preview(), PlainTheme(), 80)
	golden.RequireEqual(t, out)
	checkWidth(t, out, 80)
}

func TestRenderResult(t *testing.T) {
	t.Run("destroy", func(t *testing.T) {
		out := RenderResult(destroyResult(), "destroy", PlainTheme(), 80)
		golden.RequireEqual(t, out)
		checkWidth(t, out, 80)
	})
	t.Run("apply failed", func(t *testing.T) {
		r := &steps.Result{Succeeded: 20, Failed: 1, Skipped: 10, MutatingCalls: 1, Elapsed: 4200 * time.Millisecond,
			JournalPath: "/state/111122223333/PRD/journal.jsonl"}
		out := RenderResult(r, "apply", PlainTheme(), 80)
		golden.RequireEqual(t, out)
	})
	t.Run("drain started", func(t *testing.T) {
		r := &steps.Result{MutatingCalls: 3, DrainStarted: true, Draining: []steps.DrainingBucket{
			{Bucket: "hana-backup-prd-111122223333-eu-central-1", Region: "eu-central-1", Versions: 10000, Partial: true},
			{Bucket: "hana-backup-prd-111122223333-eu-west-1", Region: "eu-west-1", Versions: 4200},
		}}
		out := RenderResult(r, "destroy", PlainTheme(), 80)
		golden.RequireEqual(t, out)
		checkWidth(t, out, 80)
	})
	t.Run("still draining", func(t *testing.T) {
		r := &steps.Result{Draining: []steps.DrainingBucket{{Bucket: "hana-backup-prd-111122223333-eu-west-1", Region: "eu-west-1", Versions: 17}}}
		out := RenderResult(r, "destroy", PlainTheme(), 80)
		golden.RequireEqual(t, out)
		checkWidth(t, out, 80)
	})
	t.Run("cancel hint defaults to the AWS CLI command", func(t *testing.T) {
		r := destroyResult()
		r.KeyDeletions[0].CancelHint = ""
		out := RenderResult(r, "destroy", PlainTheme(), 200)
		want := "aws kms cancel-key-deletion --region eu-central-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab && aws kms enable-key --region eu-central-1 --key-id 1234abcd-12ab-34cd-56ef-1234567890ab"
		if !strings.Contains(out, want) {
			t.Errorf("result lacks the cancel command:\n%s", out)
		}
	})
}

// TestColorThemeLayout proves the colour themes only add escape codes: with
// them stripped, every document is byte for byte the plain one.
func TestColorThemeLayout(t *testing.T) {
	for name, render := range renderers() {
		for _, dark := range []bool{true, false} {
			plain := render(PlainTheme(), 80)
			if strings.Contains(plain, "\x1b") {
				t.Fatalf("%s: plain theme emitted an escape code", name)
			}
			colored := render(ColorTheme(dark), 80)
			if !strings.Contains(colored, "\x1b[") {
				t.Errorf("%s (dark=%v): colour theme emitted no escape codes", name, dark)
			}
			if diff := cmp.Diff(plain, ansi.Strip(colored)); diff != "" {
				t.Errorf("%s (dark=%v): stripped colour output differs from plain (-plain +color):\n%s", name, dark, diff)
			}
		}
	}
}

func TestColorThemesDiffer(t *testing.T) {
	dark := RenderStatus(driftStatus(), ColorTheme(true), 80)
	light := RenderStatus(driftStatus(), ColorTheme(false), 80)
	if dark == light {
		t.Error("dark and light themes render the same colours")
	}
}

func TestNarrowWidthsWrap(t *testing.T) {
	for name, render := range renderers() {
		if name == "result" {
			continue
		}
		for _, w := range []int{40, 60, 120} {
			checkWidth(t, render(PlainTheme(), w), w)
		}
		// Below the minimum the renderers use the minimum.
		checkWidth(t, render(PlainTheme(), 10), minWidth)
	}
}

func TestWrapLines(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"fits", "a b c", 10, []string{"a b c"}},
		{"breaks at spaces", "alpha beta gamma delta", 11, []string{"alpha beta", "gamma delta"}},
		{"keeps hyphenated names whole", "bucket hana-backup-prd-1 ok", 17, []string{"bucket", "hana-backup-prd-1", "ok"}},
		{"keeps an overlong word whole on a line of its own", "x abcdefghijklmnop y", 10, []string{"x", "abcdefghijklmnop", "y"}},
		{"never cuts an ARN", "Signed in as arn:aws:sts::111122223333:assumed-role/Admin/basis", 15, []string{"Signed in as", "arn:aws:sts::111122223333:assumed-role/Admin/basis"}},
		{"keeps newlines", "one\ntwo three", 20, []string{"one", "two three"}},
		{"keeps runs of spaces", "day 0    upload", 20, []string{"day 0    upload"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, wrapLines(tt.text, tt.limit)); diff != "" {
				t.Errorf("wrapLines(%q, %d) (-want +got):\n%s", tt.text, tt.limit, diff)
			}
		})
	}
}

func TestWrapLinesStyledLinesStandAlone(t *testing.T) {
	th := ColorTheme(true)
	lines := wrapLines(th.paint(th.Warning, "one two three four"), 10)
	if len(lines) != 2 {
		t.Fatalf("got %d lines, want 2: %q", len(lines), lines)
	}
	for _, l := range lines {
		if !strings.HasPrefix(l, "\x1b[") || !strings.HasSuffix(l, "\x1b[m") {
			t.Errorf("line %q does not open and close its own style", l)
		}
	}
}

func TestHumanBytes(t *testing.T) {
	tests := map[int64]string{
		0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB",
		5 << 30: "5.0 GiB", 150 << 30: "150 GiB", 5_368_709_120_000: "4.9 TiB",
	}
	for n, want := range tests {
		if got := HumanBytes(n); got != want {
			t.Errorf("HumanBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestHumanDuration(t *testing.T) {
	tests := map[time.Duration]string{
		400 * time.Millisecond:   "0.4s",
		12340 * time.Millisecond: "12.3s",
		83 * time.Second:         "1m23s",
		time.Hour + 2*time.Minute + 3*time.Second + 600*time.Millisecond: "1h2m4s",
	}
	for d, want := range tests {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 48213: "48,213", 1234567: "1,234,567", -1234: "-1,234"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

var events = []steps.Event{
	{Kind: steps.EventNote, Detail: "Journal: /state/111122223333/PRD/journal.jsonl"},
	{Kind: steps.EventStarted, StepID: "source/key", Action: steps.ActionCreate},
	{Kind: steps.EventStarted, StepID: "source/bucket/versioning", Action: steps.ActionUpdate},
	{Kind: steps.EventDone, StepID: "source/key", Action: steps.ActionCreate, Elapsed: 400 * time.Millisecond},
	{Kind: steps.EventDone, StepID: "source/bucket/versioning", Action: steps.ActionInSync},
	{Kind: steps.EventRetrying, StepID: "source/bucket/replication", Attempt: 3, Reason: "versioning has not settled on both buckets yet"},
	{Kind: steps.EventProgress, StepID: "replica/bucket", Detail: "deleting object versions", Done: 12000, Total: 48100},
	{Kind: steps.EventFailed, StepID: "replica/bucket/policy", Error: "s3:PutBucketPolicy hana-backup-prd: AccessDenied: not authorized"},
	{Kind: steps.EventSkipped, StepID: "replica/bucket/logging", Reason: "depends on replica/bucket/policy, which did not complete"},
	{Kind: steps.EventStarted, StepID: "global/replication-role", Action: steps.ActionDelete},
	{Kind: steps.EventDone, StepID: "global/replication-role"},
}

func TestTextSink(t *testing.T) {
	var b bytes.Buffer
	s := NewTextSink(&b, PlainTheme())
	for _, e := range events {
		s.Emit(e)
	}
	golden.RequireEqual(t, b.String())

	var c bytes.Buffer
	cs := NewTextSink(&c, ColorTheme(true))
	for _, e := range events {
		cs.Emit(e)
	}
	if ansi.Strip(c.String()) != b.String() {
		t.Errorf("colour sink layout differs:\n%s\nvs\n%s", ansi.Strip(c.String()), b.String())
	}
}

func TestJSONSinkRoundTrips(t *testing.T) {
	var b bytes.Buffer
	s := NewJSONSink(&b)
	base := time.Date(2026, 6, 12, 9, 0, 0, 0, time.UTC)
	var want []steps.Event
	for i, e := range events {
		e.Time = base.Add(time.Duration(i) * time.Second)
		want = append(want, e)
		s.Emit(e)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != len(events) {
		t.Fatalf("got %d lines for %d events", len(lines), len(events))
	}
	var got []steps.Event
	for _, l := range lines {
		var e steps.Event
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("line %q is not JSON: %v", l, err)
		}
		got = append(got, e)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events changed in the round trip (-want +got):\n%s", diff)
	}
	if !strings.Contains(lines[5], `"kind":"retrying"`) || !strings.Contains(lines[5], `"attempt":3`) {
		t.Errorf("retrying line lacks kind or attempt: %s", lines[5])
	}
}

func TestPlanJSONShape(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, freshPlan()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		SID     string `json:"sid"`
		Changes []struct {
			ID     string `json:"id"`
			Region string `json:"region"`
			Action string `json:"action"`
			Fields []struct {
				Name    string `json:"name"`
				Desired string `json:"desired"`
				Actual  string `json:"actual"`
			} `json:"fields"`
		} `json:"changes"`
		Warnings []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"warnings"`
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.SID != "PRD" || len(doc.Changes) != 31 || len(doc.Warnings) != 2 {
		t.Fatalf("sid %q, %d changes, %d warnings", doc.SID, len(doc.Changes), len(doc.Warnings))
	}
	var upd int
	for _, c := range doc.Changes {
		if c.ID == "source/bucket/versioning" {
			upd++
			if c.Action != "update" || c.Region != src || len(c.Fields) != 1 ||
				c.Fields[0] != (struct {
					Name    string `json:"name"`
					Desired string `json:"desired"`
					Actual  string `json:"actual"`
				}{"versioning", "Enabled", "Suspended"}) {
				t.Errorf("versioning change encoded as %+v", c)
			}
		}
	}
	if upd != 1 {
		t.Errorf("versioning change found %d times", upd)
	}
	for _, k := range []string{"sid", "identity", "sourceRegion", "replicationRegion", "changes", "warnings"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("plan JSON lacks %q", k)
		}
	}
}

func TestStreamLines(t *testing.T) {
	var b bytes.Buffer
	r := destroyResult()
	for _, v := range []any{NewDestroyPreviewLine(preview()), NewResultLine("destroy", r, true, errors.New("interrupted"))} {
		if err := WriteJSONLine(&b, v); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d", len(lines))
	}
	var head struct {
		Kind    string                `json:"kind"`
		Preview *steps.DestroyPreview `json:"preview"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &head); err != nil {
		t.Fatal(err)
	}
	if head.Kind != "destroy-preview" || head.Preview == nil || head.Preview.SID != "PRD" || len(head.Preview.Buckets) != 4 {
		t.Errorf("preview line decoded as %+v", head)
	}
	var tail struct {
		Kind        string        `json:"kind"`
		Operation   string        `json:"operation"`
		Result      *steps.Result `json:"result"`
		Interrupted bool          `json:"interrupted"`
		Error       string        `json:"error"`
	}
	if err := json.Unmarshal([]byte(lines[1]), &tail); err != nil {
		t.Fatal(err)
	}
	if tail.Kind != "result" || tail.Operation != "destroy" || !tail.Interrupted || tail.Error != "interrupted" {
		t.Errorf("result line decoded as %+v", tail)
	}
	if diff := cmp.Diff(r, tail.Result); diff != "" {
		t.Errorf("result changed in the round trip (-want +got):\n%s", diff)
	}
}

func TestRenderPlanAppliesDefaults(t *testing.T) {
	bare := landscape()
	bare.Lifecycle = spec.Lifecycle{}
	bare.LogRetentionDays = 0
	bare.OriginalLogBucketName = ""
	bare.ReplicationLogBucketName = ""
	bare.ReplicationRoleName = ""
	want := RenderPlan(freshPlan(), landscape(), PlainTheme(), 80)
	if got := RenderPlan(freshPlan(), bare, PlainTheme(), 80); got != want {
		t.Errorf("a landscape without defaults renders differently:\n%s", cmp.Diff(want, got))
	}
}

func TestRenderStatusGrants(t *testing.T) {
	s := driftStatus()
	s.Grants = nil
	if out := unwrap(RenderStatus(s, PlainTheme(), 80)); !strings.Contains(out, "Key grants: none, so only the key policies decide") {
		t.Errorf("no grants not reported:\n%s", out)
	}
	s.GrantsError = "could not list the grants of k: AccessDenied"
	if out := unwrap(RenderStatus(s, PlainTheme(), 80)); !strings.Contains(out, "Key grants: not checked: could not list the grants of k: AccessDenied") {
		t.Errorf("grant error not reported:\n%s", out)
	}
}
