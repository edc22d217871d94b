package report

import (
	"fmt"
	"strings"

	"github.com/hanavault/hanavault/internal/spec"
	"github.com/hanavault/hanavault/internal/steps"
)

// symbol returns the one-character mark of an action.
func symbol(a steps.Action) string {
	switch a {
	case steps.ActionCreate:
		return "+"
	case steps.ActionUpdate:
		return "~"
	case steps.ActionInSync, steps.ActionKeep:
		return "="
	case steps.ActionDelete:
		return "-"
	case steps.ActionRestore:
		return "<"
	}
	return "?"
}

func (th Theme) actionStyle(a steps.Action, s string) string {
	switch a {
	case steps.ActionCreate:
		return th.paint(th.Create, s)
	case steps.ActionUpdate:
		return th.paint(th.Update, s)
	case steps.ActionDelete:
		return th.paint(th.Delete, s)
	case steps.ActionRestore:
		return th.paint(th.Restore, s)
	}
	return th.paint(th.InSync, s)
}

// RenderPlan renders a plan for people: a summary line, the warnings and
// what the landscape sets up in plain words first; then every step per
// region and resource with its action and, for updates, each setting as
// "actual → desired". l is the landscape the plan was made from; its defaults are
// applied here. Lines are wrapped to width (0 means DefaultWidth).
func RenderPlan(p *steps.Plan, l spec.Landscape, th Theme, width int) string {
	l = l.Normalized()
	pg := newPage(width)
	title := "Plan for " + p.SID
	if p.Identity.Account != "" {
		title += " in account " + p.Identity.Account
	}
	pg.text("", "", th.paint(th.Title, title))
	if p.SourceRegion != "" || p.ReplicationRegion != "" {
		pg.text("", "", fmt.Sprintf("Backups in %s, replicated to %s.", p.SourceRegion, p.ReplicationRegion))
	}
	if p.Identity.Arn != "" {
		signedIn(pg, th, p.Identity.Arn)
	}
	pg.gap()
	n := p.Counts()
	summary := fmt.Sprintf("Plan: %d to create, %d to update, %d in sync.", n[steps.ActionCreate], n[steps.ActionUpdate], n[steps.ActionInSync])
	if n[steps.ActionCreate]+n[steps.ActionUpdate] == 0 {
		summary += " Nothing to do."
	}
	pg.text("", "", th.paint(th.Heading, summary))

	renderRenamed(pg, p.Renamed, th)
	renderWarnings(pg, p.Warnings, th)
	renderSetsUp(pg, p, l, th)

	// Every setting comes last: the summary, what it sets up and the
	// warnings are what a person reads first.
	pg.gap()
	pg.text("", "", th.paint(th.Heading, "Every setting"))
	pg.text("", "", th.paint(th.Faint, "Legend:")+" "+
		th.actionStyle(steps.ActionCreate, "+ create")+", "+
		th.actionStyle(steps.ActionUpdate, "~ update")+", "+
		th.actionStyle(steps.ActionInSync, "= in sync"))

	entries := make([]entry, len(p.Changes))
	for i, c := range p.Changes {
		entries[i] = entry{id: c.ID, region: c.Region, component: c.Component, resource: c.Resource, index: i}
	}
	pg.sections(th, entries, p.SourceRegion, p.ReplicationRegion, func(i int) {
		c := p.Changes[i]
		pg.item("    "+th.actionStyle(c.Action, symbol(c.Action))+" ", changeTitle(c))
		for _, f := range c.Fields {
			pg.item("        ", fmt.Sprintf("%s: %s → %s", f.Name, orNotSet(f.Actual), orNotSet(f.Desired)))
		}
	})
	return pg.String()
}

// renderRenamed lists what the landscape created under names it no longer
// uses, with what each holds and what destroy does with it.
func renderRenamed(pg *page, rs []steps.RenamedResource, th Theme) {
	var created, adopted []steps.RenamedResource
	for _, rr := range rs {
		if rr.PreExisting {
			adopted = append(adopted, rr)
		} else {
			created = append(created, rr)
		}
	}
	renderRenamedGroup(pg, created, th, "Created by this landscape under earlier names",
		"Destroy keeps these by default, and every KMS key a kept bucket encrypts with; "+
			"hanavault destroy --remove-renamed empties and deletes them instead.")
	renderRenamedGroup(pg, adopted, th, "Used by this landscape under earlier names (pre-existing)",
		"Destroy keeps these, even with --remove-renamed, and the KMS key of their region; "+
			"it puts back the settings hanavault changed on them.")
}

// renderRenamedGroup lists one group of renamed-away resources under its
// heading, with what destroy does with them.
func renderRenamedGroup(pg *page, rs []steps.RenamedResource, th Theme, heading, footer string) {
	if len(rs) == 0 {
		return
	}
	pg.gap()
	pg.text("", "", th.paint(th.Heading, heading))
	for _, rr := range rs {
		pg.item("  "+th.actionStyle(rr.Action, symbol(rr.Action))+" ", renamedWords(rr, th))
	}
	pg.text("", "", footer)
}

// renamedWords describes one renamed-away resource.
func renamedWords(rr steps.RenamedResource, th Theme) string {
	name := fmt.Sprintf("%s %s", rr.Kind, rr.Name)
	if rr.Region != steps.GlobalScope {
		name += " (" + rr.Region + ")"
	}
	switch {
	case rr.PreExisting:
		name += ", pre-existing"
	case rr.FoundByTags:
		name += ", found by its tags only (no journal record)"
	case !rr.CreatedAt.IsZero():
		name += ", created by this landscape on " + rr.CreatedAt.UTC().Format("2006-01-02")
	}
	if rr.Contents != nil {
		name += ": holds " + contents(*rr.Contents)
	}
	if rr.Action == steps.ActionDelete {
		return name + "; destroy " + th.paint(th.Delete, "deletes it") + "."
	}
	if rr.PreExisting {
		return name + "; destroy " + th.paint(th.Restore, "restores its settings and keeps it") + "."
	}
	return name + "; destroy " + th.paint(th.Restore, "keeps it") + "."
}

func changeTitle(c steps.Change) string {
	t := c.ID
	if c.Title != "" {
		t = c.Title
	}
	if c.Owner != "" {
		t += " (" + c.Owner + ")"
	}
	return t
}

func orNotSet(s string) string {
	if s == "" {
		return "(not set)"
	}
	return s
}

// renderSetsUp explains the landscape in plain words.
func renderSetsUp(pg *page, p *steps.Plan, l spec.Landscape, th Theme) {
	pg.gap()
	pg.text("", "", th.paint(th.Heading, "What this sets up"))

	account := p.Identity.Account
	if account == "" {
		account = "this account"
	} else {
		account = "account " + account
	}
	pg.gap()
	pg.text("  ", "    ", th.paint(th.Label, "Keys"))
	pg.text("    ", "    ", fmt.Sprintf("One KMS key per region, rotated automatically: %s in %s and %s in %s. Who can use them:",
		l.OriginalCMKAlias, l.SourceRegion, l.ReplicationCMKAlias, l.ReplicationRegion))
	pg.item("    - ", fmt.Sprintf("%s administers them (policy, rotation, tags, disabling, scheduling deletion); the key policy gives it no use of the keys for encryption. As AWS warns, a key administrator can still change the key policy and create grants, and so give anyone, itself included, use of the keys; status lists every grant on them.", roleOrUnset(l.KMSAdminRole)))
	pg.item("    - ", fmt.Sprintf("%s encrypts and decrypts backups with them.", roleOrUnset(l.EC2RoleToRunBackup)))
	pg.item("    - ", fmt.Sprintf("The replication role %s decrypts with the source key and encrypts with the replica key (and decrypts with it to verify its S3 Bucket Key), only through S3.", l.ReplicationRoleName))
	pg.item("    - ", fmt.Sprintf("Nobody else, unless an IAM policy in %s allows it (the key policy's account root statement lets IAM policies grant access).", account))

	pg.gap()
	pg.text("  ", "    ", th.paint(th.Label, "Bucket policy"))
	pg.text("    ", "    ", fmt.Sprintf("Both backup buckets (%s and %s) let %s read, write, list and delete backups, and deny:",
		l.OriginalBucketName, l.ReplicationBucketName, roleOrUnset(l.EC2RoleToRunBackup)))
	pg.item("    - ", "any request not sent over TLS (HTTPS).")
	pg.item("    - ", "uploads that ask for SSE-S3 (AES256) or SSE-C (a customer-provided key).")
	pg.item("    - ", "uploads that name a KMS key other than the bucket's own, or ask for aws:kms without naming a key (S3 would use the AWS managed key, and such backups would not replicate).")
	if l.RequireEncryptionHeader {
		pg.item("    - ", "uploads that carry no encryption header (requireEncryptionHeader is on): every backup client must send aws:kms with the key explicitly.")
	} else {
		pg.item("    ", "Uploads without an encryption header are accepted and encrypted with the bucket's key by default encryption.")
	}
	pg.text("    ", "    ", fmt.Sprintf("Block Public Access is on and ACLs are disabled. Access logs go to %s and %s (encrypted with SSE-S3, kept %d days).",
		l.OriginalLogBucketName, l.ReplicationLogBucketName, l.LogRetentionDays))

	lc := l.Lifecycle
	pg.gap()
	pg.text("  ", "    ", th.paint(th.Label, "Lifecycle")+" (both backup buckets)")
	pad := len(fmt.Sprint(max(lc.TransitionDays, lc.ExpirationDays())))
	day := func(d int) string { return fmt.Sprintf("    day %-*d  ", pad, d) }
	pg.item(day(0), "backup uploaded (S3 Standard)")
	pg.item(day(lc.TransitionDays), "moves to "+storageClassWords(lc.StorageClass))
	pg.item(day(lc.ExpirationDays()), "expires: S3 adds a delete marker and keeps the data as a noncurrent version")
	pg.item("    - ", fmt.Sprintf("Noncurrent versions are deleted %d days after they are replaced or deleted, so an expired backup is gone for good on day %d.",
		lc.NoncurrentExpirationDays, lc.ExpirationDays()+lc.NoncurrentExpirationDays))
	pg.item("    - ", "Expired delete markers are removed.")
	pg.item("    - ", fmt.Sprintf("Incomplete multipart uploads are aborted after %d days.", lc.AbortIncompleteMultipartDays))
	pg.item("    - ", "Objects smaller than 128 KiB stay in S3 Standard (S3's default minimum size for transitions).")

	pg.gap()
	pg.text("  ", "    ", th.paint(th.Label, "Replication"))
	pg.text("    ", "    ", fmt.Sprintf("New SSE-KMS backups in %s (%s) are copied to %s (%s) and re-encrypted there with %s.",
		l.OriginalBucketName, l.SourceRegion, l.ReplicationBucketName, l.ReplicationRegion, l.ReplicationCMKAlias))
	if l.DeleteMarkerReplication {
		pg.item("    - ", "Delete markers: replicated. A backup deleted in the source (for example by HANA housekeeping) disappears from view in the replica too. Markers made by lifecycle expiry are never replicated.")
	} else {
		pg.item("    - ", "Delete markers: not replicated. A backup deleted in the source stays in the replica until the replica's own lifecycle expires it.")
	}
	if l.ReplicationTimeControl {
		pg.item("    - ", "Replication Time Control: on. 99.99% of objects replicate within 15 minutes, with replication metrics, at extra cost.")
	} else {
		pg.item("    - ", "Replication Time Control: off. Objects usually replicate within minutes, without a guarantee.")
	}
	pg.item("    - ", "Objects already in the source bucket before replication was set up are not replicated; deleting a specific version is not replicated either.")
}

func roleOrUnset(r string) string {
	if strings.TrimSpace(r) == "" {
		return "(no role set)"
	}
	return r
}

// storageClassWords says what a lifecycle storage class means for restores.
func storageClassWords(class string) string {
	switch class {
	case "GLACIER":
		return "GLACIER (S3 Glacier Flexible Retrieval): reading a backup needs a restore first, which takes minutes to hours"
	case "DEEP_ARCHIVE":
		return "DEEP_ARCHIVE (S3 Glacier Deep Archive): reading a backup needs a restore first, which takes up to 12 hours or more"
	case "GLACIER_IR":
		return "GLACIER_IR (S3 Glacier Instant Retrieval): readable at once, with a retrieval fee"
	case "":
		return "(no storage class set)"
	}
	return class
}

// renderWarnings lists warnings, each with the landscape field it concerns.
func renderWarnings(pg *page, ws []steps.Warning, th Theme) {
	if len(ws) == 0 {
		return
	}
	pg.gap()
	pg.text("", "", th.paint(th.Warning, "Warnings"))
	for _, w := range ws {
		msg := w.Message
		if w.Field != "" {
			msg = w.Field + ": " + msg
		}
		pg.item("  "+th.paint(th.Warning, "!")+" ", msg)
	}
}
