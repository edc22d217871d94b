package steps

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/spec"
)

// Renamed-away resources: what this landscape created under a name (or in
// a region) it no longer uses. Renaming is never a takeover and never an
// orphaning: plan lists them with what they hold, destroy keeps them by
// default (and every key a kept bucket encrypts with), and removes them
// only when told to (DestroyOptions.RemoveRenamed, destroy --remove-renamed).

// renamedAway lists the resources the journal proves this landscape
// created and did not delete, under names the landscape no longer uses.
func (r *run) renamedAway() []resID {
	current := map[resID]bool{{resRole, GlobalScope, r.l.ReplicationRoleName}: true}
	regions := map[string]bool{}
	for _, sd := range sides(r.l) {
		regions[sd.region] = true
		current[resID{resBucket, sd.region, sd.bucket}] = true
		current[resID{resBucket, sd.region, sd.logBucket}] = true
		current[resID{resAlias, sd.region, sd.alias}] = true
	}
	var out []resID
	// Without a journal, the other buckets tagged for the landscape are
	// what it may have created under earlier names.
	for _, id := range r.taggedBuckets() {
		if !current[id] {
			out = append(out, id)
		}
	}
	for _, k := range []resKind{resBucket, resRole, resAlias, resKey} {
		for _, id := range r.owned.ownedNames(k) {
			switch {
			case current[id]:
			case k == resKey && regions[id.region]:
				// A side's key is found through its alias or the journal,
				// whatever the alias is called now.
			default:
				out = append(out, id)
			}
		}
	}
	return out
}

// renamedAction is what destroy does to a renamed-away resource that exists.
func (r *run) renamedAction(id resID) Action {
	if r.renamedRemoved(id) {
		return ActionDelete
	}
	return ActionKeep // an alias goes only with its key
}

// renamedRemoved reports whether destroy removes a renamed-away resource:
// when told to (--remove-renamed), or, for a bucket found only by its tags
// (local state lost), with the user's consent to deleting tag-found
// buckets.
func (r *run) renamedRemoved(id resID) bool {
	return r.removeRenamed || r.tagConsent.Buckets && !r.owned.get(id).created && r.isTaggedBucket(id)
}

// renamedResources describes the renamed-away resources for plan and the
// destroy preview: whether each still exists, and what a bucket holds.
func (r *run) renamedResources() ([]RenamedResource, error) {
	var out []RenamedResource
	for _, id := range r.renamedAway() {
		rr := RenamedResource{Kind: string(id.kind), Region: id.region, Name: id.name, CreatedAt: r.owned.get(id).at,
			FoundByTags: !r.owned.get(id).created && r.isTaggedBucket(id)}
		st := &step{id: renamedStepID(id), region: id.region}
		var err error
		keep := false
		switch id.kind {
		case resBucket:
			var c BucketContents
			c, err = r.countContents(st, id.region, id.name)
			if err == nil && c.Exists {
				rr.Exists, rr.Contents = true, &c
				var ours bool
				if ours, _, err = r.ownsBucket(st, id.region, id.name); err == nil && !ours && !rr.FoundByTags {
					continue // made again by someone else: pre-existing, not this landscape's
				}
			}
		case resRole:
			var role cloud.Role
			role, err = read(r, st, func(ctx context.Context) (cloud.Role, error) { return r.acct.IAM().GetRole(ctx, id.name) })
			rr.Exists = err == nil
			if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
				err = nil
			}
			if ours, _ := r.ownsRole(role); rr.Exists && !ours {
				continue // made again by someone else: not this landscape's
			}
		case resAlias, resKey:
			var md cloud.KeyMetadata
			var found bool
			md, found, err = r.describeKey(st, id)
			rr.Exists = found && md.KeyState != statePendingDeletion
			if err == nil && rr.Exists && id.kind == resAlias {
				var ours bool
				ours, err = r.isLandscapeKeyIn(st, id.region, md)
				keep = !ours // repointed to a key not this landscape's
			}
			if err == nil && rr.Exists && id.kind == resKey {
				// Needed by the backups of a bucket adopted there.
				keep, err = r.adoptedAwayExists(id.region)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("look up %s %s (created by this landscape under an earlier name): %w", id.kind, id.name, err)
		}
		if !rr.Exists {
			continue
		}
		rr.Action = r.renamedAction(id)
		if keep {
			rr.Action = ActionKeep
		}
		out = append(out, rr)
	}
	for _, a := range r.adoptedAway() {
		st := &step{id: stepID("adopted", a.region, a.name), region: a.region}
		c, err := r.countContents(st, a.region, a.name)
		if err != nil {
			return nil, fmt.Errorf("look up bucket %s (adopted under an earlier name): %w", a.name, err)
		}
		if c.Exists {
			out = append(out, RenamedResource{Kind: string(resBucket), Region: a.region, Name: a.name, Exists: true,
				Contents: &c, Action: ActionKeep, PreExisting: true})
		}
	}
	return out, nil
}

// renamedBucket, renamedRole, renamedAlias and renamedKey are the
// renamed-away resources destroy visits, one type per class of resource.
type (
	renamedBucket struct {
		st *step
		id resID
	}
	renamedRole  renamedBucket
	renamedAlias renamedBucket
	renamedKey   renamedBucket
)

func renamedStepID(id resID) string {
	return stepID("renamed", string(id.kind), id.region, id.name)
}

// renamedSteps are the undo-only steps destroy runs for renamed-away
// resources, and the extra edges that order them: a side's key waits for
// the renamed-away buckets of its region, a renamed-away alias for the key.
func (r *run) renamedSteps() ([]*step, map[string][]string) {
	var out []*step
	extra := map[string][]string{}
	keyOf := map[string]string{}
	for _, sd := range sides(r.l) {
		keyOf[sd.region] = stepID(sd.name, "key")
	}
	for _, id := range r.renamedAway() {
		st := &step{id: renamedStepID(id), region: id.region, resource: id.name, lock: id.name}
		switch id.kind {
		case resBucket:
			st.component, st.title = CompBucket, "Bucket created under an earlier name"
			st.undo = renamedBucket{st, id}.undo
			if k, ok := keyOf[id.region]; ok {
				extra[k] = append(extra[k], st.id)
			}
		case resRole:
			st.component, st.title = CompRole, "Replication role created under an earlier name"
			st.undo = renamedRole{st, id}.undo
		case resAlias:
			st.component, st.title = CompKey, "Key alias created under an earlier name"
			st.undo = renamedAlias{st, id}.undo
			if k, ok := keyOf[id.region]; ok {
				extra[st.id] = append(extra[st.id], k)
			}
		case resKey:
			st.component, st.title = CompKey, "KMS key of a region the landscape no longer uses"
			st.undo = renamedKey{st, id}.undo
		}
		out = append(out, st)
	}
	for _, st := range out {
		if st.component == CompKey && strings.HasPrefix(st.id, stepID("renamed", string(resKey))) {
			for _, b := range out {
				if b.component == CompBucket && b.region == st.region {
					extra[st.id] = append(extra[st.id], b.id)
				}
			}
		}
	}
	return out, extra
}

// undo keeps a bucket created under an earlier name (dropping its
// replication through a role destroy deletes), or empties and deletes it
// when told to.
func (x renamedBucket) undo(ctx context.Context, r *run, _ undoInfo) (Action, error) {
	st, id := x.st, x.id
	_, err := read(r, st, func(ctx context.Context) (cloud.HeadBucketOutput, error) {
		return r.acct.S3(id.region).HeadBucket(ctx, id.name)
	})
	if cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket) {
		return ActionKeep, nil
	}
	if err != nil {
		return "", fmt.Errorf("look up bucket %s: %w", id.name, err)
	}
	ours, _, err := r.ownsBucket(st, id.region, id.name)
	if err != nil {
		return "", err
	}
	if !ours && !(r.tagConsent.Buckets && r.isTaggedBucket(id)) {
		r.addKept(fmt.Sprintf("bucket %s in %s: no journal record shows this landscape created it (it was made again after the landscape's bucket of that name); kept, unchanged", id.name, id.region))
		return ActionKeep, nil
	}
	if !r.renamedRemoved(id) {
		if err := r.dropReplicationOfOwnedRole(st, id); err != nil {
			return "", err
		}
		how := "created by this landscape under an earlier name"
		if !r.owned.get(id).created {
			how = "found by its tags only (no journal record)"
		}
		r.addKept(fmt.Sprintf("bucket %s in %s: %s; kept with its objects, and so is the key it encrypts with (destroy --remove-renamed removes it)", id.name, id.region, how))
		return ActionKeep, nil
	}
	if err := r.emptyAndDeleteBucket(st, id.region, id.name); err != nil {
		return "", err
	}
	return ActionDelete, nil
}

// undo keeps a role created under an earlier name, or deletes it when
// told to.
func (x renamedRole) undo(ctx context.Context, r *run, _ undoInfo) (Action, error) {
	st, id := x.st, x.id
	role, err := read(r, st, func(ctx context.Context) (cloud.Role, error) { return r.acct.IAM().GetRole(ctx, id.name) })
	if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
		return ActionKeep, nil
	}
	if err != nil {
		return "", fmt.Errorf("look up role %s: %w", id.name, err)
	}
	if ours, _ := r.ownsRole(role); !ours {
		r.addKept(fmt.Sprintf("role %s: no journal record shows this landscape created it (it was made again after the landscape's role of that name); kept", id.name))
		return ActionKeep, nil
	}
	if !r.removeRenamed {
		r.addKept(fmt.Sprintf("role %s: created by this landscape under an earlier name; kept (destroy --remove-renamed removes it)", id.name))
		return ActionKeep, nil
	}
	if err := r.deleteRole(st, id.name); err != nil {
		return "", err
	}
	return ActionDelete, nil
}

// undo deletes an alias this landscape created under an
// earlier name when told to, or when its key was just scheduled for
// deletion: an alias stays only on a key that stays. Only while it points
// to this landscape's key: repointed to another key, it is that key's
// owner's name now.
func (x renamedAlias) undo(ctx context.Context, r *run, _ undoInfo) (Action, error) {
	st, id := x.st, x.id
	kms := r.acct.KMS(id.region)
	md, found, err := r.describeKey(st, id)
	if err != nil || !found {
		return ActionKeep, err
	}
	if ours, err := r.isLandscapeKeyIn(st, id.region, md); err != nil || !ours {
		if err == nil {
			r.addKept(fmt.Sprintf("alias %s in %s: created by this landscape under an earlier name, but it now points to key %s, which this landscape did not create; kept", id.name, id.region, md.KeyID))
		}
		return ActionKeep, err
	}
	if !r.removeRenamed && md.KeyState != statePendingDeletion {
		return ActionKeep, nil
	}
	err = r.mutate(st, mutation{op: "kms:DeleteAlias", resource: id.name}, func(ctx context.Context) (string, error) {
		return "", kms.DeleteAlias(ctx, id.name)
	})
	if err != nil && !cloud.IsCode(err, cloud.CodeNotFoundException) {
		return "", err
	}
	return ActionDelete, nil
}

// undo schedules the deletion of a key of a region the landscape
// left, when told to and no bucket there still encrypts with it.
func (x renamedKey) undo(ctx context.Context, r *run, _ undoInfo) (Action, error) {
	st, id := x.st, x.id
	md, found, err := r.describeKey(st, id)
	if err != nil || !found {
		return ActionKeep, err
	}
	if md.KeyState == statePendingDeletion {
		return ActionKeep, nil
	}
	users, err := r.bucketsUsingKey(st, id.region, md)
	if err != nil {
		return "", err
	}
	adopted, err := r.adoptedAwayExists(id.region)
	if err != nil {
		return "", err
	}
	if !r.removeRenamed || len(users) > 0 || adopted {
		r.addKept(fmt.Sprintf("KMS key %s in %s: created by this landscape in a region it no longer uses; kept (destroy --remove-renamed schedules its deletion once no bucket encrypts with it)", id.name, id.region))
		return ActionKeep, nil
	}
	if err := r.scheduleKeyDeletion(st, "", md); err != nil {
		return "", err
	}
	return ActionDelete, nil
}

// isLandscapeKeyIn reports whether a key in region is one this landscape
// created: the journal names it, or it is the key of a side there.
func (r *run) isLandscapeKeyIn(st *step, region string, md cloud.KeyMetadata) (bool, error) {
	if r.owned.get(resID{resKey, region, md.KeyID}).created {
		return true, nil
	}
	for _, sd := range sides(r.l) {
		if sd.region != region {
			continue
		}
		if ours, err := r.keyIsLandscapes(st, sd, md); err != nil || ours {
			return ours, err
		}
	}
	return false, nil
}

// keptRenamedBucketUsesKey reports whether a renamed-away bucket that
// destroy keeps encrypts with the side's key.
func (r *run) keptRenamedBucketUsesKey(st *step, sd side) (bool, error) {
	renamed := map[string]bool{}
	for _, id := range r.renamedAway() {
		if id.kind == resBucket && id.region == sd.region && !r.renamedRemoved(id) {
			renamed[id.name] = true
		}
	}
	if len(renamed) == 0 {
		return false, nil
	}
	lk, err := r.findKey(&step{id: stepID(sd.name, "key"), region: sd.region}, sd)
	if isFieldError(err) {
		return false, nil // the alias names someone else's key: not ours to keep or delete
	}
	if err != nil || !lk.found {
		return false, err
	}
	users, err := r.bucketsUsingKey(st, sd.region, lk.meta)
	if err != nil {
		return false, err
	}
	for _, b := range users {
		if renamed[b] {
			return true, nil
		}
	}
	// A backup bucket holds objects encrypted with the key whatever its
	// default encryption says now (someone may have changed it).
	for b := range renamed {
		if strings.HasSuffix(r.owned.get(resID{resBucket, sd.region, b}).step, "/log-bucket") {
			continue // server access logs are never encrypted with the key
		}
		_, err := read(r, st, func(ctx context.Context) (cloud.HeadBucketOutput, error) {
			return r.acct.S3(sd.region).HeadBucket(ctx, b)
		})
		switch {
		case cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket):
		case err != nil:
			return false, fmt.Errorf("look up bucket %s (created under an earlier name): %w", b, err)
		default:
			return true, nil
		}
	}
	return false, nil
}

// dropReplicationOfOwnedRole removes the replication configuration of a
// kept renamed-away bucket when it uses a role this landscape created:
// destroy deletes that role, and replication would fail silently after.
func (r *run) dropReplicationOfOwnedRole(st *step, id resID) error {
	s3 := r.acct.S3(id.region)
	rc, err := read(r, st, func(ctx context.Context) (cloud.ReplicationConfiguration, error) {
		return s3.GetBucketReplication(ctx, id.name)
	})
	if cloud.IsCode(err, cloud.CodeNoSuchReplication) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read replication of bucket %s: %w", id.name, err)
	}
	if !r.owned.get(resID{resRole, GlobalScope, spec.RoleName(rc.Role)}).created {
		return nil // not a role of ours: destroy leaves it, and the replication with it
	}
	err = r.mutate(st, mutation{op: "s3:DeleteBucketReplication", resource: id.name}, func(ctx context.Context) (string, error) {
		return r.bucketARN(id.name), s3.DeleteBucketReplication(ctx, id.name)
	})
	if cloud.IsCode(err, cloud.CodeNoSuchReplication) {
		return nil
	}
	return err
}

// describeKey describes the key a renamed-away key ID or alias names;
// found is false when it is gone.
func (r *run) describeKey(st *step, id resID) (cloud.KeyMetadata, bool, error) {
	md, err := read(r, st, func(ctx context.Context) (cloud.KeyMetadata, error) {
		return r.acct.KMS(id.region).DescribeKey(ctx, id.name)
	})
	if cloud.IsCode(err, cloud.CodeNotFoundException) {
		return md, false, nil
	}
	if err != nil {
		return md, false, fmt.Errorf("look up %s in %s: %w", id.name, id.region, err)
	}
	return md, true, nil
}

// taggedBuckets lists, for a landscape rebuilt from tags (no journal), the
// buckets tagged as its own (not adopted). Empty otherwise.
func (r *run) taggedBuckets() []resID {
	if !r.rebuilt {
		return nil
	}
	ids, err := memo(r, "tagged-buckets", func() ([]resID, error) {
		tagged, _, err := r.e.scanTagged(r.stop)
		if err != nil {
			return nil, err
		}
		var out []resID
		for _, b := range tagged[r.l.SID] {
			if !b.adopted {
				out = append(out, resID{resBucket, b.region, b.name})
			}
		}
		sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
		return out, nil
	})
	if err != nil {
		return nil // found by tags is a hint: a failed scan lists nothing more
	}
	return ids
}

// isTaggedBucket reports whether id is one of taggedBuckets.
func (r *run) isTaggedBucket(id resID) bool {
	for _, t := range r.taggedBuckets() {
		if t == id {
			return true
		}
	}
	return false
}

// adoptedBucket is a pre-existing bucket this landscape adopted under a
// name it no longer uses: kept, as every pre-existing bucket, with the
// settings hanavault changed put back as they were.
type adoptedBucket struct {
	sd     side // the side, with the bucket's region and name
	k      bucketKind
	region string
	name   string
}

// adoptedAway lists the pre-existing buckets the journal shows this
// landscape changed (and did not create) under names, or in regions, it
// no longer uses.
func (r *run) adoptedAway() []adoptedBucket {
	seen := map[string]bool{}
	var out []adoptedBucket
	for _, sd := range sides(r.l) {
		for _, k := range []bucketKind{backupBucket, logBucket} {
			prefix := stepID(sd.name, string(k))
			for key, h := range r.resHistory {
				parts := strings.SplitN(key, "|", 3)
				if len(parts) != 3 || !h.preExisting || (parts[0] != prefix && !strings.HasPrefix(parts[0], prefix+"/")) {
					continue
				}
				region, name := parts[1], parts[2]
				if (region == sd.region && name == sd.bucketName(k)) || r.owned.get(resID{resBucket, region, name}).created || seen[region+"|"+name] {
					continue
				}
				seen[region+"|"+name] = true
				x := sd
				x.region = region
				if k == logBucket {
					x.logBucket = name
				} else {
					x.bucket = name
				}
				out = append(out, adoptedBucket{sd: x, k: k, region: region, name: name})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].region+"|"+out[i].name < out[j].region+"|"+out[j].name })
	return out
}

// adoptedAwaySteps are the undo-only steps that put back the settings of
// the buckets of adoptedAway, under IDs of their own, and the extra edges
// that make a side's key wait for those of its region.
func (r *run) adoptedAwaySteps() ([]*step, map[string][]string) {
	var out []*step
	extra := map[string][]string{}
	for _, a := range r.adoptedAway() {
		if ok, _ := r.adoptedExists(a); !ok {
			continue // gone; or unreadable, and its settings steps say why
		}
		group := r.bucketSteps(a.sd, a.k)[1:] // the settings, not the bucket: it stays
		if a.k == backupBucket && a.sd.name == SideSource {
			group = append(group, r.replicationStepOf(a.sd))
		}
		renamed := map[string]string{}
		var kept []*step
		for _, st := range group {
			h := r.undoHist(st)
			if !h.preExisting || !h.priorSet {
				continue // a setting hanavault did not change on this bucket
			}
			renamed[st.id] = stepID("adopted", a.region, a.name, st.id)
			kept = append(kept, st)
		}
		for _, st := range kept {
			// The order between the bucket's own settings stays (its
			// replication goes before versioning may be restored).
			var deps []string
			for _, d := range st.deps {
				if id, ok := renamed[d]; ok {
					deps = append(deps, id)
				}
			}
			st.histID, st.id, st.deps = st.id, renamed[st.id], deps
			st.title = st.title + " of a bucket adopted under an earlier name"
			out = append(out, st)
			for _, sd := range sides(r.l) {
				if sd.region == a.region {
					extra[stepID(sd.name, "key")] = append(extra[stepID(sd.name, "key")], st.id)
				}
			}
		}
		r.addKept(fmt.Sprintf("bucket %s in %s: it existed before hanavault, which adopted it under an earlier name; it stays with its objects, and its settings are restored", a.name, a.region))
	}
	return out, extra
}

// adoptedAwayExists reports whether a bucket of adoptedAway still exists in
// region: its objects may be encrypted with the landscape's key there.
func (r *run) adoptedAwayExists(region string) (bool, error) {
	for _, a := range r.adoptedAway() {
		if a.region != region {
			continue
		}
		if ok, err := r.adoptedExists(a); err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// adoptedExists reports whether a bucket of adoptedAway still exists.
func (r *run) adoptedExists(a adoptedBucket) (bool, error) {
	st := &step{id: stepID("adopted", a.region, a.name), region: a.region}
	_, err := read(r, st, func(ctx context.Context) (cloud.HeadBucketOutput, error) {
		return r.acct.S3(a.region).HeadBucket(ctx, a.name)
	})
	switch {
	case cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("look up bucket %s (adopted under an earlier name): %w", a.name, err)
	}
	return true, nil
}
