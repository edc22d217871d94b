package report

import (
	"fmt"
	"strings"

	"github.com/hanavault/hanavault/internal/steps"
)

// RenderDestroyPreview renders what destroy would do, for people: the
// resources that go and the pre-existing ones that are kept and restored,
// per region; each bucket's contents; the KMS keys scheduled for deletion,
// what the waiting period means and how to cancel it. Lines are wrapped to
// width (0 means DefaultWidth).
func RenderDestroyPreview(d *steps.DestroyPreview, th Theme, width int) string {
	pg := newPage(width)
	title := "Destroy " + d.SID
	if d.Identity.Account != "" {
		title += " in account " + d.Identity.Account
	}
	pg.text("", "", th.paint(th.Title, title))
	if d.Identity.Arn != "" {
		signedIn(pg, th, d.Identity.Arn)
	}
	pg.gap()
	if d.NothingToDo {
		pg.gap()
		pg.text("", "", th.paint(th.Heading, "Nothing to destroy: no resource of "+d.SID+" is left (it was destroyed already)."))
		return pg.String()
	}
	pg.text("", "", th.paint(th.Faint, "Legend:")+" "+
		th.actionStyle(steps.ActionDelete, "- delete")+", "+
		th.actionStyle(steps.ActionRestore, "< restore prior settings (pre-existing, kept)")+", "+
		th.actionStyle(steps.ActionKeep, "= kept"))

	// Steps with nothing to do (already gone, or removed with their
	// resource) are counted, not listed: they would bury what matters.
	// Resources are listed with whose they are, also when kept.
	var entries []entry
	for i, c := range d.Changes {
		if c.Action == steps.ActionDelete || c.Action == steps.ActionRestore || c.Owner != "" {
			entries = append(entries, entry{id: c.ID, region: c.Region, component: c.Component, resource: c.Resource, index: i})
		}
	}
	pg.sections(th, entries, "", "", func(i int) {
		c := d.Changes[i]
		pg.item("    "+th.actionStyle(c.Action, symbol(c.Action))+" ", changeTitle(c))
	})
	n := map[steps.Action]int{}
	for _, c := range d.Changes {
		n[c.Action]++
	}
	pg.gap()
	pg.text("", "", th.paint(th.Heading, fmt.Sprintf("Destroy: %d to delete, %d to restore, %d with nothing to do (gone with their resource, or already gone).",
		n[steps.ActionDelete], n[steps.ActionRestore], n[steps.ActionKeep]+n[steps.ActionInSync])))

	if len(d.Buckets) > 0 {
		pg.gap()
		pg.text("", "", th.paint(th.Heading, "Bucket contents"))
		for _, b := range d.Buckets {
			pg.item("  - ", bucketWords(b, th))
		}
	}

	renderRenamed(pg, d.Renamed, th)
	renderKeys(pg, d, th)
	return pg.String()
}

// bucketWords says what destroy does to one bucket's contents.
func bucketWords(b steps.BucketContents, th Theme) string {
	name := fmt.Sprintf("%s (%s)", b.Bucket, b.Region)
	switch {
	case !b.Exists:
		return name + ": does not exist, nothing to delete."
	case b.PreExisting:
		return name + ": " + th.paint(th.Restore, "kept") + ". It existed before hanavault: its settings are restored and its " +
			contents(b) + " stay untouched."
	case b.Versions+b.DeleteMarkers+b.MultipartUploads == 0:
		return name + ": empty; " + th.paint(th.Delete, "deleted") + "."
	}
	return name + ": " + th.paint(th.Delete, "emptied and deleted") + ": " + contents(b) + "."
}

// contents lists a bucket's versions, delete markers, bytes and uploads.
func contents(b steps.BucketContents) string {
	parts := []string{
		plural(b.Versions, "object version", "object versions") + " (" + HumanBytes(b.Bytes) + ")",
		plural(b.DeleteMarkers, "delete marker", "delete markers"),
	}
	if b.Partial {
		// Counting stopped at a bound: say so rather than understate.
		parts = []string{fmt.Sprintf("more than %s object versions and delete markers, %s+ (counting stopped there; destroy --full-count counts all)",
			groupThousands(b.Versions+b.DeleteMarkers), HumanBytes(b.Bytes))}
		if b.MultipartUploads > 0 {
			parts = append(parts, plural(b.MultipartUploads, "incomplete multipart upload", "incomplete multipart uploads"))
		}
		return joinAnd(parts)
	}
	if b.MultipartUploads > 0 {
		parts = append(parts, plural(b.MultipartUploads, "incomplete multipart upload", "incomplete multipart uploads"))
	}
	return joinAnd(parts)
}

// joinAnd joins "a", "a and b", "a, b and c".
func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	return strings.Join(xs[:len(xs)-1], ", ") + " and " + xs[len(xs)-1]
}

// renderKeys explains the KMS deletion window.
func renderKeys(pg *page, d *steps.DestroyPreview, th Theme) {
	if len(d.Keys) == 0 {
		return
	}
	pg.gap()
	pg.text("", "", th.paint(th.Heading, fmt.Sprintf("KMS keys scheduled for deletion after a %d-day waiting period", d.KeyDeletionWindow)))
	for _, k := range d.Keys {
		id := k.KeyID
		if id == "" {
			id = "(unknown key ID)"
		}
		alias := k.Alias
		if alias == "" {
			alias = "the key this landscape created (its alias names another key)"
		}
		line := fmt.Sprintf("%s in %s (key %s)", alias, k.Region, id)
		if k.State != "" && k.State != "Enabled" {
			line += ", now " + k.State
		}
		pg.item("  - ", line)
	}
	pg.gap()
	pg.text("", "", th.paint(th.Warning, "What the waiting period means")+": "+
		fmt.Sprintf("for %d days the keys are disabled and nothing can encrypt or decrypt with them. "+
			"When the period ends they are deleted for good, and every backup still encrypted with them "+
			"(copies kept elsewhere, objects in a kept bucket) can never be read again.", d.KeyDeletionWindow))
	pg.text("", "", "To cancel within the window, run for each key:")
	for _, k := range d.Keys {
		id := k.KeyID
		if id == "" {
			id = "<key-id>"
		}
		// Commands are never cut inside a word, so they can be copied.
		pg.command("  ", cancelCommand(k.Region, id), th)
	}
}

// cancelCommand is the AWS CLI command that cancels a key deletion and
// re-enables the key (CancelKeyDeletion leaves it disabled).
func cancelCommand(region, keyID string) string {
	return fmt.Sprintf("aws kms cancel-key-deletion --region %s --key-id %s && aws kms enable-key --region %s --key-id %s",
		region, keyID, region, keyID)
}
