package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/journal"
	"github.com/hanavault/hanavault/internal/policy"
	"github.com/hanavault/hanavault/internal/spec"
)

// ErrUnknownLandscape is returned when no landscape with a SID is known.
var ErrUnknownLandscape = errors.New("landscape not found")

// ErrAlreadyDestroyed is returned for a landscape whose local state a
// completed destroy archived: there is nothing left to destroy.
var ErrAlreadyDestroyed = errors.New("landscape already destroyed")

// Known lists the landscapes in local state and, when scanTags is set,
// those found by their tags in the account, each with its health.
func (e *Engine) Known(ctx context.Context, scanTags bool) ([]KnownLandscape, error) {
	id, err := e.Identity(ctx)
	if err != nil {
		return nil, err
	}
	found := map[string]*KnownLandscape{}
	root := filepath.Join(e.opts.StateDir, id.Account)
	entries, err := os.ReadDir(root)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read state directory %s: %w", root, err)
	}
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		l, err := e.localLandscape(id.Account, ent.Name())
		if err != nil {
			continue
		}
		lc := l
		found[l.SID] = &KnownLandscape{SID: l.SID, SourceRegion: l.SourceRegion, ReplicationRegion: l.ReplicationRegion, Local: true, Landscape: &lc}
		if _, torn, err := journal.Read(e.journalDir(id.Account, l.SID)); err == nil && torn != nil {
			found[l.SID].TornJournalLine = torn.Line
		}
	}
	if scanTags {
		// A bucket whose tags cannot be read is left out of the list; a
		// rebuild from tags fails on it.
		tagged, _, err := e.scanTagged(ctx)
		if err != nil {
			return nil, err
		}
		for sid := range tagged {
			if k := found[sid]; k != nil {
				k.Tagged = true
				continue
			}
			found[sid] = &KnownLandscape{SID: sid, Tagged: true}
		}
	}
	out := make([]KnownLandscape, 0, len(found))
	var wg sync.WaitGroup
	var mu sync.Mutex
	for _, k := range found {
		wg.Add(1)
		go func(k *KnownLandscape) {
			defer wg.Done()
			if k.Landscape == nil {
				if l, err := e.fromTags(ctx, k.SID); err == nil {
					k.Landscape = &l
					k.SourceRegion, k.ReplicationRegion = l.SourceRegion, l.ReplicationRegion
				}
			}
			if k.Landscape != nil {
				if s, err := e.Status(ctx, *k.Landscape); err == nil {
					k.Overall, k.RecoveryPoint = s.Overall, s.RecoveryPoint
				}
			}
			mu.Lock()
			out = append(out, *k)
			mu.Unlock()
		}(k)
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i].SID < out[j].SID })
	return out, nil
}

// localLandscape reads the landscape saved by the last apply, or the one
// recorded in the journal's last run-start record.
func (e *Engine) localLandscape(account, sid string) (spec.Landscape, error) {
	dir := e.journalDir(account, sid)
	path := filepath.Join(dir, journal.LandscapeFile)
	data, err := journal.ReadFile(path, spec.MaxFileSize)
	if errors.Is(err, journal.ErrSymlink) {
		return spec.Landscape{}, err
	}
	if err == nil {
		if l, err := spec.Parse(data, path); err == nil {
			return l, nil
		}
	}
	recs, _, err := journal.Read(dir)
	if err != nil {
		return spec.Landscape{}, err
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Kind == journal.KindRunStart && len(recs[i].Landscape) > 0 {
			var l spec.Landscape
			if err := json.Unmarshal(recs[i].Landscape, &l); err == nil {
				return l, nil
			}
		}
	}
	return spec.Landscape{}, fmt.Errorf("%w: no landscape recorded in %s", ErrUnknownLandscape, dir)
}

// LoadLandscape returns the landscape saved by the last apply of sid, or,
// with fromTags, rebuilds it from the tagged resources in the account.
func (e *Engine) LoadLandscape(ctx context.Context, sid string, fromTags bool) (spec.Landscape, error) {
	if fromTags {
		return e.fromTags(ctx, sid)
	}
	id, err := e.Identity(ctx)
	if err != nil {
		return spec.Landscape{}, err
	}
	l, err := e.localLandscape(id.Account, sid)
	if errors.Is(err, journal.ErrSymlink) {
		return spec.Landscape{}, fmt.Errorf("read the landscape of %s: %w", sid, err)
	}
	if err != nil {
		if last := lastArchive(e.journalDir(id.Account, sid)); last != "" {
			return spec.Landscape{}, fmt.Errorf("%w: %s was destroyed; its journal is archived in %s", ErrAlreadyDestroyed, sid, last)
		}
		return spec.Landscape{}, fmt.Errorf("%w: %s has no local state in %s for account %s",
			ErrUnknownLandscape, sid, e.opts.StateDir, id.Account)
	}
	return l, nil
}

// lastArchive returns the newest journal archive of a landscape directory
// (a completed destroy leaves one), or "".
func lastArchive(dir string) string {
	root := filepath.Join(dir, journal.ArchiveDir)
	entries, err := os.ReadDir(root)
	if err != nil {
		return ""
	}
	last := ""
	for _, ent := range entries {
		if ent.IsDir() && ent.Name() > last {
			last = ent.Name()
		}
	}
	if last == "" {
		return ""
	}
	return filepath.Join(root, last)
}

// TornJournal returns the last line of sid's journal when a crash tore it,
// or nil, without repairing anything (apply and destroy set it aside).
// Commands that only read the journal report it with this.
func (e *Engine) TornJournal(ctx context.Context, sid string) (*journal.Torn, error) {
	id, err := e.Identity(ctx)
	if err != nil {
		return nil, err
	}
	_, torn, err := journal.Read(e.journalDir(id.Account, sid))
	return torn, err
}

// taggedBucket is a bucket carrying hanavault's tags.
type taggedBucket struct {
	name, region, component, side string
	adopted                       bool
	created                       time.Time
}

// scanTagged lists the account's buckets and groups those tagged by
// hanavault by landscape. Buckets whose tags could not be read are
// returned apart, with the error (a bucket deleted meanwhile, or one
// without tags, is simply not tagged).
func (e *Engine) scanTagged(ctx context.Context) (map[string][]taggedBucket, []error, error) {
	home := e.opts.HomeRegion
	if home == "" {
		home = "us-east-1"
	}
	buckets, err := e.opts.Account.S3(home).ListBuckets(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list buckets: %w", err)
	}
	out := map[string][]taggedBucket{}
	var unread []error
	var mu sync.Mutex
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, b := range buckets {
		wg.Add(1)
		go func(b cloud.BucketSummary) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			failed := func(what string, err error) {
				if cloud.IsCode(err, cloud.CodeNoSuchBucket) {
					return
				}
				mu.Lock()
				unread = append(unread, fmt.Errorf("read the %s of bucket %s: %w", what, b.Name, err))
				mu.Unlock()
			}
			region := b.BucketRegion
			if region == "" {
				lc, err := e.opts.Account.S3(home).GetBucketLocation(ctx, b.Name)
				if err != nil {
					failed("region", err)
					return
				}
				region = normalizeLocation(lc)
			}
			tags, err := e.opts.Account.S3(region).GetBucketTagging(ctx, b.Name)
			if cloud.IsCode(err, cloud.CodeNoSuchTagSet) {
				return
			}
			if err != nil {
				failed("tags", err)
				return
			}
			sid, ok := cloud.TagValue(tags, TagLandscape)
			if !ok {
				return
			}
			comp, _ := cloud.TagValue(tags, TagComponent)
			sd, _ := cloud.TagValue(tags, TagSide)
			_, adopted := cloud.TagValue(tags, TagAdopted)
			mu.Lock()
			out[sid] = append(out[sid], taggedBucket{name: b.Name, region: region, component: comp, side: sd, adopted: adopted, created: b.CreationDate})
			mu.Unlock()
		}(b)
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	return out, unread, nil
}

// absent reports whether a read failed only because the setting is not
// configured (one of codes); any other error is returned as is.
func absent(err error, codes ...string) (bool, error) {
	switch {
	case err == nil:
		return false, nil
	case cloud.IsCode(err, codes...):
		return true, nil
	}
	return false, err
}

// fromTags rebuilds a landscape from its tagged resources: the buckets
// (names, regions), their encryption (keys → aliases), the replication
// configuration (role, options), the bucket policies or else the key
// policies (EC2 role) and the key policy (admin role). Any read that fails
// for another reason than a setting not being there fails the rebuild:
// a landscape filled with defaults instead would drive status and destroy.
func (e *Engine) fromTags(ctx context.Context, sid string) (spec.Landscape, error) {
	tagged, unread, err := e.scanTagged(ctx)
	if err != nil {
		return spec.Landscape{}, err
	}
	if len(unread) > 0 {
		return spec.Landscape{}, errors.Join(unread...)
	}
	id, err := e.Identity(ctx)
	if err != nil {
		return spec.Landscape{}, err
	}
	dir := e.journalDir(id.Account, sid)
	earlier, from, err := earlierFromTagsDestroy(dir)
	if err != nil {
		return spec.Landscape{}, err
	}
	l, err := e.rebuild(ctx, sid, tagged[sid], earlier)
	if err != nil {
		return l, err
	}
	e.rebuilt.Store(sid, rebuiltLandscape{afterDestroy: earlier != nil})
	if len(tagged[sid]) == 0 {
		// No bucket is left: only keys or the role may be, which the
		// earlier destroy's journal names. When none is, the earlier
		// destroy finished.
		p, err := e.PreviewDestroyWith(ctx, l, DestroyOptions{FromTags: TagConsent{Buckets: true, Keys: true, Role: true}})
		if err != nil {
			return l, err
		}
		if p.NothingToDo {
			e.rebuilt.Delete(sid)
			return l, fmt.Errorf("%w: nothing tagged %s=%s is left in this account; the earlier destroy finished (its journal is in %s)",
				ErrAlreadyDestroyed, TagLandscape, sid, from)
		}
	}
	return l, nil
}

// rebuiltLandscape is what the engine remembers of a landscape it rebuilt
// from tags: afterDestroy marks one rebuilt with the help of the journal
// of an earlier --from-tags destroy that did not finish everything.
type rebuiltLandscape struct{ afterDestroy bool }

// earlierFromTagsDestroy returns the landscape the journal in dir (or else
// the newest archived one) recorded, and that journal's directory, when
// the journal is of destroys only, as a --from-tags destroy writes it: nil
// when there is none, or when the journal holds an apply (that journal,
// not tags, decides what destroy deletes). Such a journal proves no ownership; it names what the
// landscape was (regions, buckets, aliases, role), so a rerun finds what
// the earlier destroy left even when one side's buckets are gone.
func earlierFromTagsDestroy(dir string) (*spec.Landscape, string, error) {
	for _, d := range []string{dir, lastArchive(dir)} {
		if d == "" {
			continue
		}
		recs, _, err := journal.Read(d)
		if err != nil {
			return nil, "", fmt.Errorf("read the journal of the earlier destroy in %s: %w", d, err)
		}
		if len(recs) == 0 {
			continue
		}
		if lastApplyRun(recs) != "" {
			return nil, "", nil
		}
		for i := len(recs) - 1; i >= 0; i-- {
			if recs[i].Kind == journal.KindRunStart && recs[i].Detail == "destroy" && len(recs[i].Landscape) > 0 {
				var l spec.Landscape
				if err := json.Unmarshal(recs[i].Landscape, &l); err != nil {
					return nil, "", fmt.Errorf("read the landscape the earlier destroy recorded in %s: %w", d, err)
				}
				return &l, d, nil
			}
		}
		return nil, "", nil
	}
	return nil, "", nil
}

// rebuild reads the settings of the tagged buckets of sid. earlier, if
// not nil, is the landscape an earlier --from-tags destroy recorded: what
// the tags no longer show (a side whose buckets it deleted, the role once
// the replication is gone, the key deletion window) comes from it, and
// what they show wins.
func (e *Engine) rebuild(ctx context.Context, sid string, tagged []taggedBucket, earlier *spec.Landscape) (spec.Landscape, error) {
	l := spec.Landscape{SID: sid}
	if earlier != nil {
		l = *earlier
		l.SID = sid
	}
	// After a rename, the buckets of earlier names carry the same tags:
	// the newest bucket of each component and side is the current one.
	bs := tagged
	sort.Slice(bs, func(i, j int) bool {
		if !bs[i].created.Equal(bs[j].created) {
			return bs[i].created.Before(bs[j].created)
		}
		return bs[i].name < bs[j].name
	})
	for _, b := range bs {
		switch {
		case b.component == CompBucket && b.side == SideSource:
			l.OriginalBucketName, l.SourceRegion = b.name, b.region
		case b.component == CompBucket && b.side == SideReplica:
			l.ReplicationBucketName, l.ReplicationRegion = b.name, b.region
		case b.component == CompLogBucket && b.side == SideSource:
			l.OriginalLogBucketName = b.name
		case b.component == CompLogBucket && b.side == SideReplica:
			l.ReplicationLogBucketName = b.name
		}
	}
	found := map[string]bool{} // backup buckets and log buckets still tagged
	for _, b := range bs {
		found[b.name] = true
	}
	if earlier == nil {
		if err := e.deriveGoneSides(ctx, &l, bs); err != nil {
			return l, err
		}
	}
	switch {
	case len(bs) == 0 && earlier == nil:
		return l, fmt.Errorf("%w: nothing tagged %s=%s is in this account (no bucket carries the tag, and no journal of an earlier --from-tags destroy in the state directory names the landscape's keys or role)", ErrUnknownLandscape, TagLandscape, sid)
	case l.OriginalBucketName == "" || l.ReplicationBucketName == "" || l.SourceRegion == "" || l.ReplicationRegion == "":
		return l, fmt.Errorf("%w: only one side's buckets tagged %s=%s are left in this account, and no journal of an earlier --from-tags destroy names the other side's region and bucket (run destroy --from-tags with the state directory of the destroy that deleted them)",
			ErrUnknownLandscape, TagLandscape, sid)
	}
	acct := e.opts.Account
	src := acct.S3(l.SourceRegion)
	type sideOf struct {
		bucket, region string
		alias          *string
	}
	// Only the buckets still there are read; a side whose backup bucket an
	// earlier destroy deleted keeps what that destroy recorded.
	var sidesOf []sideOf
	for _, x := range []sideOf{{l.OriginalBucketName, l.SourceRegion, &l.OriginalCMKAlias}, {l.ReplicationBucketName, l.ReplicationRegion, &l.ReplicationCMKAlias}} {
		if found[x.bucket] {
			sidesOf = append(sidesOf, x)
		}
	}
	srcFound := found[l.OriginalBucketName]
	// The EC2 role is named by both bucket policies and both key policies:
	// the first that names it wins.
	var ec2Role []string
	// Keys and aliases, from the buckets' default encryption.
	for _, x := range sidesOf {
		enc, err := acct.S3(x.region).GetBucketEncryption(ctx, x.bucket)
		if no, err := absent(err, cloud.CodeNoSuchEncryption); err != nil {
			return l, fmt.Errorf("read the encryption of bucket %s: %w", x.bucket, err)
		} else if no || enc.KMSMasterKeyID == "" {
			continue
		}
		aliases, err := acct.KMS(x.region).ListAliases(ctx, enc.KMSMasterKeyID, "")
		if err != nil {
			return l, fmt.Errorf("list the aliases of key %s in %s: %w", enc.KMSMasterKeyID, x.region, err)
		}
		if len(aliases.Aliases) > 0 {
			*x.alias = aliases.Aliases[0].AliasName
		}
		doc, err := acct.KMS(x.region).GetKeyPolicy(ctx, enc.KMSMasterKeyID)
		if err != nil {
			return l, fmt.Errorf("read the policy of key %s in %s: %w", enc.KMSMasterKeyID, x.region, err)
		}
		// Both key policies name the admin role: the source key's wins,
		// the replica key's stands in when the source bucket is gone.
		if admin := principalOf(doc, policy.SidKeyAdministration); admin != "" && (x.region == l.SourceRegion || !srcFound) {
			l.KMSAdminRole = admin
		}
		ec2Role = append(ec2Role, principalOf(doc, policy.SidKeyUsageByBackupRole))
	}
	if srcFound {
		if err := e.rebuildReplication(ctx, &l); err != nil {
			return l, err
		}
	}
	var bucketRoles []string
	for i, x := range sidesOf {
		doc, err := acct.S3(x.region).GetBucketPolicy(ctx, x.bucket)
		if no, err := absent(err, cloud.CodeNoSuchBucketPolicy); err != nil {
			return l, fmt.Errorf("read the policy of bucket %s: %w", x.bucket, err)
		} else if no {
			continue
		}
		bucketRoles = append(bucketRoles, principalOf(doc, policy.SidAllowBackintRoleObjects))
		if i == 0 {
			l.RequireEncryptionHeader = strings.Contains(doc, policy.SidDenyMissingEncryptionHeader)
		}
	}
	for _, arn := range append(bucketRoles, ec2Role...) {
		if arn != "" {
			l.EC2RoleToRunBackup = arn
			break
		}
	}
	if srcFound {
		lc, err := src.GetBucketLifecycleConfiguration(ctx, l.OriginalBucketName)
		if _, err := absent(err, cloud.CodeNoSuchLifecycle); err != nil {
			return l, fmt.Errorf("read the lifecycle of bucket %s: %w", l.OriginalBucketName, err)
		}
		for _, ru := range lc.Rules {
			if ru.ID != "hanavault-archive-and-expire" {
				continue
			}
			if len(ru.Transitions) > 0 {
				l.Lifecycle.TransitionDays = int(ru.Transitions[0].Days)
				l.Lifecycle.StorageClass = ru.Transitions[0].StorageClass
				l.Lifecycle.ArchiveDays = int(ru.ExpirationDays) - l.Lifecycle.TransitionDays
			}
			l.Lifecycle.NoncurrentExpirationDays = int(ru.NoncurrentVersionExpirationDays)
			l.Lifecycle.AbortIncompleteMultipartDays = int(ru.AbortIncompleteMultipartUploadDays)
		}
	}
	if found[l.OriginalLogBucketName] {
		lc, err := src.GetBucketLifecycleConfiguration(ctx, l.OriginalLogBucketName)
		if _, err := absent(err, cloud.CodeNoSuchLifecycle); err != nil {
			return l, fmt.Errorf("read the lifecycle of bucket %s: %w", l.OriginalLogBucketName, err)
		}
		for _, ru := range lc.Rules {
			if ru.ID == "hanavault-expire-access-logs" {
				l.LogRetentionDays = int(ru.ExpirationDays)
			}
		}
	}
	l.ApplyDefaults()
	return l, nil
}

// rebuildReplication reads the role and options of the source bucket's
// replication, if it has one.
func (e *Engine) rebuildReplication(ctx context.Context, l *spec.Landscape) error {
	rc, err := e.opts.Account.S3(l.SourceRegion).GetBucketReplication(ctx, l.OriginalBucketName)
	if no, err := absent(err, cloud.CodeNoSuchReplication); err != nil {
		return fmt.Errorf("read the replication of bucket %s: %w", l.OriginalBucketName, err)
	} else if no {
		return nil
	}
	if a, err := cloud.ParseARN(rc.Role); err == nil {
		l.ReplicationRoleName = spec.RoleName(a.String())
	}
	if len(rc.Rules) > 0 {
		l.DeleteMarkerReplication = rc.Rules[0].DeleteMarkerReplication
		l.ReplicationTimeControl = rc.Rules[0].ReplicationTime
	}
	return nil
}

// deriveGoneSides fills, without a journal, the side whose backup bucket
// is gone from its log bucket when that is still tagged and named after
// the backup bucket (the default: the backup bucket's name and "-logs"),
// and its alias from the key in that region tagged for the side (the
// default alias when none names it: a rebuilt destroy finds the key by its
// tags then).
func (e *Engine) deriveGoneSides(ctx context.Context, l *spec.Landscape, tagged []taggedBucket) error {
	for _, b := range tagged {
		base, ok := strings.CutSuffix(b.name, spec.LogBucketSuffix)
		if b.component != CompLogBucket || !ok || base == "" {
			continue
		}
		bucket, region, alias := &l.OriginalBucketName, &l.SourceRegion, &l.OriginalCMKAlias
		if b.side == SideReplica {
			bucket, region, alias = &l.ReplicationBucketName, &l.ReplicationRegion, &l.ReplicationCMKAlias
		} else if b.side != SideSource {
			continue
		}
		if *bucket != "" {
			continue
		}
		*bucket, *region = base, b.region
		a, err := e.taggedKeyAlias(ctx, b.region, l.SID, b.side)
		if err != nil {
			return err
		}
		if a == "" {
			d := spec.Defaults(l.SID, "", "", "")
			a = d.OriginalCMKAlias
			if b.side == SideReplica {
				a = d.ReplicationCMKAlias
			}
		}
		*alias = a
	}
	return nil
}

// taggedKeyAlias returns the alias of the newest key in region tagged for
// the landscape's side and not pending deletion, or "".
func (e *Engine) taggedKeyAlias(ctx context.Context, region, sid, sideName string) (string, error) {
	kms := e.opts.Account.KMS(region)
	var newest cloud.KeyMetadata
	err := forEachPage(func(marker string) ([]cloud.KeyListEntry, string, bool, error) {
		page, err := kms.ListKeys(ctx, marker)
		return page.Keys, page.NextMarker, page.Truncated, err
	}, func(k cloud.KeyListEntry) error {
		m, err := kms.DescribeKey(ctx, k.KeyID)
		if err != nil {
			return fmt.Errorf("describe key %s: %w", k.KeyID, err)
		}
		if m.KeyManager == "AWS" || m.KeyState == statePendingDeletion || (newest.KeyID != "" && !m.CreationDate.After(newest.CreationDate)) {
			return nil
		}
		tags, err := kms.ListResourceTags(ctx, k.KeyID)
		if err != nil {
			return fmt.Errorf("read the tags of key %s: %w", k.KeyID, err)
		}
		if v, _ := cloud.TagValue(tags, TagSide); isOurs(tags, sid) && v == sideName {
			newest = m
		}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("look for the %s key of %s in %s: %w", sideName, sid, region, err)
	}
	if newest.KeyID == "" {
		return "", nil
	}
	aliases, err := kms.ListAliases(ctx, newest.KeyID, "")
	if err != nil {
		return "", fmt.Errorf("list the aliases of key %s in %s: %w", newest.KeyID, region, err)
	}
	if len(aliases.Aliases) == 0 {
		return "", nil
	}
	return aliases.Aliases[0].AliasName, nil
}

// principalOf returns the first AWS principal of the statement with sid in
// a policy document, or "".
func principalOf(doc, sid string) string {
	plain, err := cloud.DecodePolicyDocument(doc)
	if err != nil {
		return ""
	}
	var d struct {
		Statement []struct {
			Sid       string
			Principal json.RawMessage
		}
	}
	if json.Unmarshal([]byte(plain), &d) != nil {
		return ""
	}
	for _, s := range d.Statement {
		if s.Sid != sid {
			continue
		}
		var p struct{ AWS json.RawMessage }
		if json.Unmarshal(s.Principal, &p) != nil {
			return ""
		}
		var one string
		if json.Unmarshal(p.AWS, &one) == nil {
			return one
		}
		var many []string
		if json.Unmarshal(p.AWS, &many) == nil && len(many) > 0 {
			return many[0]
		}
	}
	return ""
}
