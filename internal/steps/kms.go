package steps

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
)

// keyLookup is what hanavault knows about one side's KMS key.
type keyLookup struct {
	found      bool
	meta       cloud.KeyMetadata
	aliasFound bool
	aliasKeyID string // key the alias points to
	// foreignAlias (destroy and its preview only) marks an alias naming a
	// key this landscape did not create: that key and the alias are kept,
	// and found is the key the journal says the landscape created.
	foreignAlias bool
}

// fieldError is a problem with one landscape field (a name taken, an alias
// in use, a role missing). Preflight turns it into a PreflightIssue.
type fieldError struct {
	field string
	msg   string
}

func (e *fieldError) Error() string { return e.field + ": " + e.msg }

// isFieldError reports whether err is a fieldError.
func isFieldError(err error) bool {
	var fe *fieldError
	return errors.As(err, &fe)
}

func (sd side) field(kind string) string {
	src := sd.name == SideSource
	switch kind {
	case "bucket":
		if src {
			return "originalBucketName"
		}
		return "replicationBucketName"
	case "log":
		if src {
			return "originalLogBucketName"
		}
		return "replicationLogBucketName"
	case "alias":
		if src {
			return "originalCMKAlias"
		}
		return "replicationCMKAlias"
	}
	return kind
}

const statePendingDeletion = "PendingDeletion"

// findKey locates this landscape's key on a side: through its alias, the
// journal's key IDs, or (after a create call whose answer was lost) by
// scanning the region's keys for hanavault's tags. A key found through its
// alias is found even when pending deletion: hanavault deletes the alias
// before it schedules a key's deletion, so an alias still pointing at a
// pending key means someone else scheduled it while backups need it, and
// apply cancels the deletion. Pending keys reached otherwise are leftovers
// of a destroy and are not found.
func (r *run) findKey(st *step, sd side) (keyLookup, error) {
	return memo(r, "key:"+sd.name, func() (keyLookup, error) {
		var lk keyLookup
		kms := r.acct.KMS(sd.region)
		meta, err := read(r, st, func(ctx context.Context) (cloud.KeyMetadata, error) { return kms.DescribeKey(ctx, sd.alias) })
		switch {
		case err == nil:
			lk.aliasFound, lk.aliasKeyID = true, meta.KeyID
			ours, err := r.keyIsLandscapes(st, sd, meta)
			if err != nil {
				return lk, err
			}
			if !ours && r.undoing {
				own, err := r.ownKeyBehindForeignAlias(st, sd)
				own.aliasFound, own.aliasKeyID, own.foreignAlias = true, meta.KeyID, true
				return own, err
			}
			if !ours {
				return lk, &fieldError{field: sd.field("alias"), msg: fmt.Sprintf(
					"%s already exists in %s and points to key %s, which hanavault did not create for %s; choose another alias",
					sd.alias, sd.region, meta.KeyID, r.l.SID)}
			}
			lk.found, lk.meta = true, meta
			return lk, nil
		case cloud.IsCode(err, cloud.CodeNotFoundException):
		default:
			return lk, fmt.Errorf("look up %s in %s: %w", sd.alias, sd.region, err)
		}
		if lk, err := r.keyFromJournal(st, sd); err != nil || lk.found {
			return lk, err
		}
		if r.rebuilt && r.tagConsent.Keys {
			// Rebuilt from tags (local state lost), the alias is the way to
			// the key; an earlier destroy that deleted the alias and then
			// failed to schedule the key's deletion left only its tags.
			keys, err := r.scanKeys(st, sd)
			if err != nil || len(keys) == 0 {
				return lk, err
			}
			lk.found, lk.meta = true, keys[0]
			return lk, nil
		}
		if len(r.owned.get(resID{resKey, sd.region, lostKeyName(stepID(sd.name, "key"))}).lost) > 0 {
			// A CreateKey whose answer was lost: the key it made, if any,
			// is tagged for this side and was created in that call's window.
			keys, err := r.scanKeys(st, sd)
			if err != nil {
				return lk, err
			}
			for _, k := range keys {
				if ours, _ := r.ownsKey(sd, k, true); ours {
					lk.found, lk.meta = true, k
					break
				}
			}
		}
		return lk, nil
	})
}

// keyFromJournal finds the newest key of a side the journal names that is
// not pending deletion.
func (r *run) keyFromJournal(st *step, sd side) (keyLookup, error) {
	var lk keyLookup
	h := r.hist(stepID(sd.name, "key"))
	for i := len(h.ids) - 1; i >= 0; i-- {
		m, err := read(r, st, func(ctx context.Context) (cloud.KeyMetadata, error) {
			return r.acct.KMS(sd.region).DescribeKey(ctx, h.ids[i])
		})
		if cloud.IsCode(err, cloud.CodeNotFoundException) {
			continue
		}
		if err != nil {
			return lk, fmt.Errorf("describe key %s in %s: %w", h.ids[i], sd.region, err)
		}
		if m.KeyState != statePendingDeletion {
			lk.found, lk.meta = true, m
			return lk, nil
		}
	}
	return lk, nil
}

// ownKeyBehindForeignAlias is, when the side's alias names a key this
// landscape did not create (repointed, or the alias field renamed onto
// another key's alias), the key the journal names: destroy keeps the other
// key and the alias, and still deals with its own.
func (r *run) ownKeyBehindForeignAlias(st *step, sd side) (keyLookup, error) {
	lk, err := r.keyFromJournal(st, sd)
	if err != nil || !lk.found {
		return lk, err
	}
	if ours, _ := r.ownsKey(sd, lk.meta, false); !ours {
		return keyLookup{}, nil
	}
	return lk, nil
}

// keyIsLandscapes reports whether a key is this landscape's key of a side:
// the journal recorded creating it (tags do not matter, so changed tags are
// drift to repair, not a foreign key), or its create call's answer was lost
// and the key is tagged for the side and was created in that call's window,
// or the user consented to destroying tag-found keys and its tags say so.
// A key only tagged for the landscape is someone else's.
func (r *run) keyIsLandscapes(st *step, sd side, meta cloud.KeyMetadata) (bool, error) {
	if ours, _ := r.ownsKey(sd, meta, false); ours {
		return true, nil
	}
	lost := len(r.owned.get(resID{resKey, sd.region, lostKeyName(stepID(sd.name, "key"))}).lost) > 0
	if !lost && !r.tagConsent.Keys {
		return false, nil
	}
	tagged, err := r.keyIsOurs(st, sd, meta)
	if err != nil || !tagged {
		return false, err
	}
	if ours, _ := r.ownsKey(sd, meta, true); ours {
		return true, nil
	}
	return r.tagConsent.Keys, nil
}

// keyOwner says whose a side's key is, for plan and the destroy preview.
func (r *run) keyOwner(sd side, meta cloud.KeyMetadata) string {
	if ours, at := r.ownsKey(sd, meta, true); ours {
		return ownerWords(true, at)
	}
	return foundByTags
}

// keyIsOurs checks the key's tags.
func (r *run) keyIsOurs(st *step, sd side, meta cloud.KeyMetadata) (bool, error) {
	if meta.KeyManager == "AWS" {
		return false, nil
	}
	tags, err := read(r, st, func(ctx context.Context) ([]cloud.Tag, error) {
		return r.acct.KMS(sd.region).ListResourceTags(ctx, meta.KeyID)
	})
	if err != nil {
		return false, fmt.Errorf("read tags of key %s in %s: %w", meta.KeyID, sd.region, err)
	}
	if !isOurs(tags, r.l.SID) {
		return false, nil
	}
	if v, ok := cloud.TagValue(tags, TagSide); ok && v != sd.name {
		return false, nil
	}
	return true, nil
}

// scanKeys lists the region's usable customer keys tagged for this
// landscape and side, newest first.
func (r *run) scanKeys(st *step, sd side) ([]cloud.KeyMetadata, error) {
	kms := r.acct.KMS(sd.region)
	var out []cloud.KeyMetadata
	err := forEachPage(func(marker string) ([]cloud.KeyListEntry, string, bool, error) {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListKeysOutput, error) { return kms.ListKeys(ctx, marker) })
		return page.Keys, page.NextMarker, page.Truncated, err
	}, func(k cloud.KeyListEntry) error {
		m, err := read(r, st, func(ctx context.Context) (cloud.KeyMetadata, error) { return kms.DescribeKey(ctx, k.KeyID) })
		if err != nil || m.KeyManager == "AWS" || m.KeyState == statePendingDeletion {
			return nil
		}
		if ours, err := r.keyIsOurs(st, sd, m); err == nil && ours {
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list keys in %s: %w", sd.region, err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreationDate.After(out[j].CreationDate) })
	return out, nil
}

func (r *run) keyPolicy() string {
	return policy.KeyPolicy(policy.KeyPolicyParams{
		Partition:    r.partition(),
		Account:      r.id.Account,
		AdminRoleARN: r.get("adminRole.arn"),
		UserRoleARNs: []string{r.get("ec2Role.arn")},
	}).JSON()
}

func (r *run) keyDescription(sd side) string {
	return fmt.Sprintf("hanavault %s HANA backup key (%s, %s)", r.l.SID, sd.name, sd.region)
}

// keyARN returns the side's key ARN, or a placeholder when the key does
// not exist yet (plan). ok reports whether the ARN is real.
func (r *run) keyARN(st *step, sd side) (string, bool) {
	lk, err := r.findKey(st, sd)
	if err != nil || !lk.found {
		return unknownARN("key " + sd.alias), false
	}
	return lk.meta.Arn, true
}

func (r *run) keySteps(sd side) []*step {
	kms := func() cloud.KMS { return r.acct.KMS(sd.region) }
	keyID := stepID(sd.name, "key")
	key := &step{
		id: keyID, region: sd.region, component: CompKey, resource: sd.alias,
		title: "KMS key (symmetric, customer managed)",
	}
	key.desired = func(r *run) []field {
		d, _ := tagsField(r.tagsFor(CompKey, sd.name), nil)
		return []field{{name: "state", value: "Enabled"}, d}
	}
	key.read = func(ctx context.Context, r *run) (observed, error) {
		lk, err := r.findKey(key, sd)
		if err != nil || !lk.found {
			return observed{}, err
		}
		tags, err := read(r, key, func(ctx context.Context) ([]cloud.Tag, error) { return kms().ListResourceTags(ctx, lk.meta.KeyID) })
		if err != nil {
			return observed{}, fmt.Errorf("read tags of key %s: %w", lk.meta.KeyID, err)
		}
		_, a := tagsField(r.tagsFor(CompKey, sd.name), tags)
		return observed{exists: true, id: lk.meta.Arn, fields: []field{{name: "state", value: lk.meta.KeyState}, a}, owner: r.keyOwner(sd, lk.meta)}, nil
	}
	key.converge = func(ctx context.Context, r *run, obs observed) error {
		if !obs.exists {
			var md cloud.KeyMetadata
			err := r.mutate(key, mutation{op: "kms:CreateKey", resource: sd.alias}, func(ctx context.Context) (string, error) {
				var err error
				md, err = kms().CreateKey(ctx, cloud.CreateKeyInput{
					Description: r.keyDescription(sd),
					Policy:      r.keyPolicy(),
					KeySpec:     "SYMMETRIC_DEFAULT",
					KeyUsage:    "ENCRYPT_DECRYPT",
					Tags:        r.tagsFor(CompKey, sd.name),
				})
				return md.Arn, err
			})
			if err != nil {
				return err
			}
			lk, _ := r.findKey(key, sd)
			lk.found, lk.meta = true, md
			remember(r, "key:"+sd.name, lk)
			return nil
		}
		lk, err := r.findKey(key, sd)
		if err != nil {
			return err
		}
		for _, f := range obs.fields {
			switch {
			case f.name == "state" && (f.value == "Disabled" || f.value == statePendingDeletion):
				if f.value == statePendingDeletion {
					// Deletion scheduled outside hanavault: the key still
					// encrypts the landscape's backups. Cancelling leaves
					// it Disabled, so enable it next.
					if err := r.mutate(key, mutation{op: "kms:CancelKeyDeletion", resource: lk.meta.KeyID}, func(ctx context.Context) (string, error) {
						return lk.meta.Arn, kms().CancelKeyDeletion(ctx, lk.meta.KeyID)
					}); err != nil {
						return err
					}
				}
				if err := r.mutate(key, mutation{op: "kms:EnableKey", resource: lk.meta.KeyID}, func(ctx context.Context) (string, error) {
					return lk.meta.Arn, kms().EnableKey(ctx, lk.meta.KeyID)
				}); err != nil {
					return err
				}
			case f.name == "state" && f.value != "Enabled":
				return fmt.Errorf("key %s is %s; hanavault cannot use it", lk.meta.KeyID, f.value)
			}
		}
		want := r.tagsFor(CompKey, sd.name)
		d, _ := tagsField(want, nil)
		for _, f := range obs.fields {
			if f.name == "tags" && f.value != d.value {
				if err := r.mutate(key, mutation{op: "kms:TagResource", resource: lk.meta.KeyID}, func(ctx context.Context) (string, error) {
					return lk.meta.Arn, kms().TagResource(ctx, lk.meta.KeyID, want)
				}); err != nil {
					return err
				}
			}
		}
		forget(r, "key:"+sd.name)
		return nil
	}
	key.undo = sideKey{sd: sd, st: key}.undo

	pol := &step{
		id: stepID(sd.name, "key", "policy"), region: sd.region, component: CompKey, resource: sd.alias,
		title: "Key policy (admin role administers, EC2 role encrypts/decrypts)", deps: []string{keyID},
	}
	kp := keyPolicyStep{sd: sd, st: pol}
	pol.desired, pol.read, pol.converge, pol.undo = kp.desired, kp.read, kp.converge, keepWithParent

	rot := &step{
		id: stepID(sd.name, "key", "rotation"), region: sd.region, component: CompKey, resource: sd.alias,
		title: "Automatic key rotation", deps: []string{keyID},
	}
	kr := keyRotationStep{sd: sd, st: rot}
	rot.desired, rot.read, rot.converge, rot.undo = kr.desired, kr.read, kr.converge, keepWithParent

	alias := &step{
		id: stepID(sd.name, "key", "alias"), region: sd.region, component: CompKey, resource: sd.alias,
		title: "Key alias", deps: []string{keyID},
	}
	alias.desired = func(r *run) []field {
		arn, ok := r.keyARN(alias, sd)
		return []field{{name: "target key", value: arn, unknown: !ok}}
	}
	alias.read = func(ctx context.Context, r *run) (observed, error) {
		lk, err := r.findKey(alias, sd)
		if err != nil || !lk.aliasFound {
			return observed{}, err
		}
		target := lk.aliasKeyID
		if lk.found && lk.meta.KeyID == target {
			target = lk.meta.Arn
		}
		obs := observed{exists: true, fields: []field{{name: "target key", value: target}}, owner: foundByTags}
		if ours, at := r.ownsAlias(sd.region, sd.alias); lk.foreignAlias {
			obs.owner = ownerForeignAlias
		} else if ours {
			obs.owner = ownerWords(true, at)
		}
		return obs, nil
	}
	alias.converge = func(ctx context.Context, r *run, obs observed) error {
		lk, err := r.findKey(alias, sd)
		if err != nil {
			return err
		}
		if !lk.found {
			return fmt.Errorf("key for %s not found", sd.alias)
		}
		op, call := "kms:CreateAlias", kms().CreateAlias
		if obs.exists {
			op, call = "kms:UpdateAlias", kms().UpdateAlias
		}
		aliasARN := cloud.AliasARN(r.partition(), sd.region, r.id.Account, sd.alias)
		err = r.mutate(alias, mutation{op: op, resource: sd.alias}, func(ctx context.Context) (string, error) {
			return aliasARN, call(ctx, sd.alias, lk.meta.KeyID)
		})
		if cloud.IsCode(err, cloud.CodeAlreadyExistsException) {
			// The alias appeared since the read (a create whose answer was
			// lost): point it at this landscape's key.
			err = r.mutate(alias, mutation{op: "kms:UpdateAlias", resource: sd.alias}, func(ctx context.Context) (string, error) {
				return aliasARN, kms().UpdateAlias(ctx, sd.alias, lk.meta.KeyID)
			})
		}
		if err == nil {
			lk.aliasFound, lk.aliasKeyID = true, lk.meta.KeyID
			remember(r, "key:"+sd.name, lk)
		}
		return err
	}
	alias.undo = sideAlias{sd: sd, st: alias}.undo
	return []*step{key, pol, rot, alias}
}

// keepWithParent is the undo of settings that disappear with their
// resource (key policy, rotation, settings of a bucket hanavault created).
func keepWithParent(ctx context.Context, r *run, info undoInfo) (Action, error) {
	return ActionKeep, nil
}

// scheduleKeyDeletion schedules the deletion of a key this landscape
// created, with the landscape's waiting period, and records how to cancel.
func (r *run) scheduleKeyDeletion(st *step, alias string, md cloud.KeyMetadata) error {
	kms := r.acct.KMS(st.region)
	var when time.Time
	if err := r.mutate(st, mutation{op: "kms:ScheduleKeyDeletion", resource: md.KeyID}, func(ctx context.Context) (string, error) {
		var err error
		when, err = kms.ScheduleKeyDeletion(ctx, md.KeyID, int32(r.l.KMSDeletionWindowDays))
		return md.Arn, err
	}); err != nil {
		return err
	}
	r.addKeyDeletion(KeyDeletion{
		KeyInfo:      KeyInfo{Region: st.region, Alias: alias, KeyID: md.KeyID, Arn: md.Arn, State: statePendingDeletion},
		DeletionDate: when,
		CancelHint: fmt.Sprintf("aws kms cancel-key-deletion --region %s --key-id %s && aws kms enable-key --region %s --key-id %s",
			st.region, md.KeyID, st.region, md.KeyID),
	})
	return nil
}

// keyPolicyStep is a side's key policy: the KMS admin role administers the
// key, the EC2 backup role encrypts and decrypts with it.
type keyPolicyStep struct {
	sd side
	st *step
}

func (x keyPolicyStep) desired(r *run) []field {
	return []field{policyField("key policy", r.keyPolicy())}
}

func (x keyPolicyStep) read(ctx context.Context, r *run) (observed, error) {
	if r.createdNow(stepID(x.sd.name, "key")) {
		// The key this run made has the policy its CreateKey gave it: no
		// read in the write chain of a new key.
		return observed{exists: true, fields: []field{policyField("key policy", r.keyPolicy())}}, nil
	}
	lk, err := r.findKey(x.st, x.sd)
	if err != nil || !lk.found {
		return observed{}, err
	}
	doc, err := read(r, x.st, func(ctx context.Context) (string, error) {
		return r.acct.KMS(x.sd.region).GetKeyPolicy(ctx, lk.meta.KeyID)
	})
	if err != nil {
		return observed{}, fmt.Errorf("read policy of key %s: %w", lk.meta.KeyID, err)
	}
	f := policyField("key policy", doc)
	if f.key() != policyField("", r.keyPolicy()).key() {
		f.value = explainPolicyDiff(r.keyPolicy(), doc)
	}
	return observed{exists: true, fields: []field{f}}, nil
}

func (x keyPolicyStep) converge(ctx context.Context, r *run, obs observed) error {
	lk, err := r.findKey(x.st, x.sd)
	if err != nil {
		return err
	}
	if !lk.found {
		return fmt.Errorf("key %s not found", x.sd.alias)
	}
	return r.mutate(x.st, mutation{op: "kms:PutKeyPolicy", resource: lk.meta.KeyID}, func(ctx context.Context) (string, error) {
		return lk.meta.Arn, r.acct.KMS(x.sd.region).PutKeyPolicy(ctx, lk.meta.KeyID, r.keyPolicy())
	})
}

// keyRotationStep is a side's automatic key rotation.
type keyRotationStep struct {
	sd side
	st *step
}

func (x keyRotationStep) desired(r *run) []field {
	return []field{{name: "rotation", value: "enabled"}}
}

func (x keyRotationStep) read(ctx context.Context, r *run) (observed, error) {
	if r.createdNow(stepID(x.sd.name, "key")) {
		// "Automatic key rotation is disabled by default on customer
		// managed keys" (KMS Developer Guide, Rotate AWS KMS keys).
		return observed{exists: true, fields: []field{{name: "rotation", value: "disabled"}}}, nil
	}
	lk, err := r.findKey(x.st, x.sd)
	if err != nil || !lk.found {
		return observed{}, err
	}
	if lk.meta.KeyState == statePendingDeletion {
		// KMS does not answer rotation questions about such a key; the key
		// step cancels the deletion first.
		return observed{exists: true, fields: []field{{name: "rotation", value: "unknown (key pending deletion)"}}}, nil
	}
	on, err := read(r, x.st, func(ctx context.Context) (bool, error) {
		return r.acct.KMS(x.sd.region).GetKeyRotationStatus(ctx, lk.meta.KeyID)
	})
	if err != nil {
		return observed{}, fmt.Errorf("read rotation of key %s: %w", lk.meta.KeyID, err)
	}
	v := "disabled"
	if on {
		v = "enabled"
	}
	return observed{exists: true, fields: []field{{name: "rotation", value: v}}}, nil
}

func (x keyRotationStep) converge(ctx context.Context, r *run, obs observed) error {
	lk, err := r.findKey(x.st, x.sd)
	if err != nil {
		return err
	}
	return r.mutate(x.st, mutation{op: "kms:EnableKeyRotation", resource: lk.meta.KeyID}, func(ctx context.Context) (string, error) {
		return lk.meta.Arn, r.acct.KMS(x.sd.region).EnableKeyRotation(ctx, lk.meta.KeyID)
	})
}

// sideKey is one side's KMS key as destroy sees it.
type sideKey struct {
	sd side
	st *step
}

// undo schedules the deletion of the side's key when this landscape
// created it, no kept bucket needs it and no bucket still encrypts with it.
func (x sideKey) undo(ctx context.Context, r *run, info undoInfo) (Action, error) {
	sd, key := x.sd, x.st
	if r.keepKey(sd) {
		r.addKept(fmt.Sprintf("KMS key %s in %s: kept because a bucket that stays (the pre-existing %s, or one this landscape created or adopted under an earlier name) may hold objects encrypted with it; schedule its deletion yourself once nothing needs it", sd.alias, sd.region, sd.bucket))
		return ActionKeep, nil
	}
	alias := sd.alias
	lk, err := r.findKey(key, sd)
	if err != nil {
		return "", err
	}
	if lk.foreignAlias {
		r.addKept(fmt.Sprintf("KMS key behind %s in %s: no journal record shows this landscape created it; kept", sd.alias, sd.region))
		alias = "" // the alias is not this key's
	}
	if !lk.found || lk.meta.KeyState == statePendingDeletion {
		return ActionKeep, nil // gone, or its deletion is already scheduled
	}
	if ours, err := r.keyIsLandscapes(key, sd, lk.meta); err != nil || !ours {
		return ActionKeep, err
	}
	// Never while a bucket that encrypts with the key still exists
	// (a kept bucket, one renamed away, one whose deletion failed).
	users, err := r.bucketsUsingKey(key, sd.region, lk.meta)
	if err != nil {
		return "", err
	}
	if len(users) > 0 {
		r.addKept(fmt.Sprintf("KMS key %s in %s: kept because bucket %s still exists and encrypts with it; schedule its deletion yourself once nothing needs it",
			sd.alias, sd.region, strings.Join(users, ", ")))
		return ActionKeep, nil
	}
	if err := r.scheduleKeyDeletion(key, alias, lk.meta); err != nil {
		return "", err
	}
	forget(r, "key:"+sd.name)
	return ActionDelete, nil
}

// sideAlias is one side's key alias as destroy sees it.
type sideAlias struct {
	sd side
	st *step
}

// undo deletes the side's alias when this landscape created it and its
// key goes.
func (x sideAlias) undo(ctx context.Context, r *run, info undoInfo) (Action, error) {
	sd, alias := x.sd, x.st
	kms := r.acct.KMS(sd.region)
	if r.keepKey(sd) {
		return ActionKeep, nil // the kept key keeps its name
	}
	m, err := read(r, alias, func(ctx context.Context) (cloud.KeyMetadata, error) { return kms.DescribeKey(ctx, sd.alias) })
	if cloud.IsCode(err, cloud.CodeNotFoundException) {
		return ActionKeep, nil
	}
	if err != nil {
		return "", fmt.Errorf("look up %s: %w", sd.alias, err)
	}
	ours, err := r.keyIsLandscapes(alias, sd, m)
	if err != nil {
		return "", err
	}
	if created, _ := r.ownsAlias(sd.region, sd.alias); !ours || !created && !r.tagConsent.Keys {
		return ActionKeep, nil
	}
	if err := r.mutate(alias, mutation{op: "kms:DeleteAlias", resource: sd.alias}, func(ctx context.Context) (string, error) {
		return "", kms.DeleteAlias(ctx, sd.alias)
	}); err != nil && !cloud.IsCode(err, cloud.CodeNotFoundException) {
		return "", err
	}
	return ActionDelete, nil
}
