package steps

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
)

// roleLookup is what hanavault knows about the replication role.
type roleLookup struct {
	exists bool
	role   cloud.Role
	trust  string // decoded trust policy
	owner  string // see Change.Owner
}

func (r *run) findRole(st *step) (roleLookup, error) {
	name := r.l.ReplicationRoleName
	return memo(r, "role", func() (roleLookup, error) {
		role, err := read(r, st, func(ctx context.Context) (cloud.Role, error) { return r.acct.IAM().GetRole(ctx, name) })
		if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
			return roleLookup{}, nil
		}
		if err != nil {
			return roleLookup{}, fmt.Errorf("look up role %s: %w", name, err)
		}
		// Only the journal proves the role is this landscape's; its tags
		// count only with the user's consent (local state lost).
		owned, at := r.ownsRole(role)
		byTags := !owned && r.tagConsent.Role && isOurs(role.Tags, r.l.SID)
		if !owned && !byTags {
			return roleLookup{}, &fieldError{field: "replicationRoleName", msg: fmt.Sprintf(
				"role %s already exists and no journal record shows this landscape (%s) created it; choose another replicationRoleName", name, r.l.SID)}
		}
		trust, err := cloud.DecodePolicyDocument(role.AssumeRolePolicyDocument)
		if err != nil {
			return roleLookup{}, fmt.Errorf("role %s: %w", name, err)
		}
		r.set("replicationRole.arn", role.Arn)
		rl := roleLookup{exists: true, role: role, trust: trust, owner: ownerWords(true, at)}
		if byTags {
			rl.owner = foundByTags
		}
		return rl, nil
	})
}

func (r *run) replicationRoleARN(st *step) (string, bool) {
	rl, err := r.findRole(st)
	if err != nil || !rl.exists {
		return cloud.RoleARN(r.partition(), r.id.Account, "/", r.l.ReplicationRoleName), false
	}
	return rl.role.Arn, true
}

func (r *run) replicationRolePolicy(st *step) (string, bool) {
	sds := sides(r.l)
	src, ok1 := r.keyARN(st, sds[0])
	dst, ok2 := r.keyARN(st, sds[1])
	return policy.ReplicationRolePolicy(policy.ReplicationPolicyParams{
		Partition:     r.partition(),
		SourceBucket:  sds[0].bucket,
		ReplicaBucket: sds[1].bucket,
		SourceKeyARN:  src,
		ReplicaKeyARN: dst,
		SourceRegion:  sds[0].region,
		ReplicaRegion: sds[1].region,
	}).JSON(), ok1 && ok2
}

func (r *run) roleSteps() []*step {
	name := r.l.ReplicationRoleName
	iam := func() cloud.IAM { return r.acct.IAM() }
	roleID := stepID(GlobalScope, "replication-role")
	role := &step{
		id: roleID, region: GlobalScope, component: CompRole, resource: name,
		title: "Replication role (trusted by s3.amazonaws.com only)",
	}
	trust := policy.ReplicationTrustPolicy().JSON()
	role.desired = func(r *run) []field {
		d, _ := tagsField(r.tagsFor(CompRole, ""), nil)
		return []field{policyField("trust policy", trust), d}
	}
	role.read = func(ctx context.Context, r *run) (observed, error) {
		rl, err := r.findRole(role)
		if err != nil || !rl.exists {
			return observed{}, err
		}
		f := policyField("trust policy", rl.trust)
		if f.key() != policyField("", trust).key() {
			f.value = explainPolicyDiff(trust, rl.trust)
		}
		_, t := tagsField(r.tagsFor(CompRole, ""), rl.role.Tags)
		return observed{exists: true, id: rl.role.Arn, fields: []field{f, t}, owner: rl.owner}, nil
	}
	role.converge = func(ctx context.Context, r *run, obs observed) error {
		if !obs.exists {
			var created cloud.Role
			err := r.mutate(role, mutation{op: "iam:CreateRole", resource: name}, func(ctx context.Context) (string, error) {
				var err error
				created, err = iam().CreateRole(ctx, cloud.CreateRoleInput{
					RoleName: name, Path: "/", AssumeRolePolicyDocument: trust,
					Description: fmt.Sprintf("hanavault %s: S3 replication of HANA backups from %s to %s", r.l.SID, r.l.SourceRegion, r.l.ReplicationRegion),
					Tags:        r.tagsFor(CompRole, ""),
				})
				return created.Arn, err
			})
			if cloud.IsCode(err, cloud.CodeEntityAlreadyExists) {
				// Ours only if an earlier CreateRole of ours was sent, its
				// answer lost, and the role was created in that window.
				forget(r, "role")
				got, gerr := read(r, role, func(ctx context.Context) (cloud.Role, error) { return iam().GetRole(ctx, name) })
				if gerr != nil {
					return fmt.Errorf("look up role %s: %w", name, gerr)
				}
				if ours, _ := r.ownsRoleIn(ownershipOf(r.jr.Records()), got); !ours {
					return &fieldError{field: "replicationRoleName", msg: fmt.Sprintf(
						"role %s was created by someone else while this apply ran; no journal record shows this landscape created it, so apply stops: choose another replicationRoleName", name)}
				}
				return nil // our own create whose answer was lost; the next read sees it
			}
			if err != nil {
				return err
			}
			r.set("replicationRole.arn", created.Arn)
			remember(r, "role", roleLookup{exists: true, role: created, trust: trust})
			return nil
		}
		for _, f := range obs.fields {
			switch f.name {
			case "trust policy":
				if f.key() != policyField("", trust).key() {
					if err := r.mutate(role, mutation{op: "iam:UpdateAssumeRolePolicy", resource: name}, func(ctx context.Context) (string, error) {
						return obs.id, iam().UpdateAssumeRolePolicy(ctx, name, trust)
					}); err != nil {
						return err
					}
				}
			case "tags":
				d, _ := tagsField(r.tagsFor(CompRole, ""), nil)
				if f.value != d.value {
					if err := r.mutate(role, mutation{op: "iam:TagRole", resource: name}, func(ctx context.Context) (string, error) {
						return obs.id, iam().TagRole(ctx, name, r.tagsFor(CompRole, ""))
					}); err != nil {
						return err
					}
				}
			}
		}
		forget(r, "role")
		return nil
	}
	role.undo = func(ctx context.Context, r *run, info undoInfo) (Action, error) {
		rl, err := r.findRole(role)
		if isFieldError(err) {
			return ActionKeep, nil // someone else's role of that name
		}
		if err != nil {
			return "", err
		}
		if !rl.exists {
			return ActionKeep, nil
		}
		if err := r.deleteRole(role, name); err != nil {
			return "", err
		}
		forget(r, "role")
		return ActionDelete, nil
	}

	pol := &step{
		id: stepID(GlobalScope, "replication-role", "policy"), region: GlobalScope, component: CompRole, resource: name,
		title: "Replication role policy (replication actions; KMS via S3 with the buckets' encryption context)",
		deps:  []string{roleID, stepID(SideSource, "key"), stepID(SideReplica, "key")},
	}
	rp := rolePolicyStep{name: name, st: pol}
	pol.desired, pol.read, pol.converge, pol.undo = rp.desired, rp.read, rp.converge, rp.undo
	return []*step{role, pol}
}

// rolePolicyStep is the replication role's inline policy: the replication
// actions on the two buckets, and KMS through S3 with the buckets'
// encryption context.
type rolePolicyStep struct {
	name string // the role's name
	st   *step
}

func (x rolePolicyStep) desired(r *run) []field {
	doc, ok := r.replicationRolePolicy(x.st)
	f := policyField("role policy", doc)
	f.unknown = !ok
	return []field{f}
}

func (x rolePolicyStep) read(ctx context.Context, r *run) (observed, error) {
	if r.createdNow(stepID(GlobalScope, "replication-role")) {
		// CreateRole gives a role no inline policy: the policy of a role
		// this run made is put without reading it first.
		return observed{}, nil
	}
	rl, err := r.findRole(x.st)
	if err != nil || !rl.exists {
		return observed{}, err
	}
	doc, err := read(r, x.st, func(ctx context.Context) (string, error) {
		return r.acct.IAM().GetRolePolicy(ctx, x.name, replicationPolicyName)
	})
	if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
		return observed{}, nil
	}
	if err != nil {
		return observed{}, fmt.Errorf("read policy %s of role %s: %w", replicationPolicyName, x.name, err)
	}
	plain, err := cloud.DecodePolicyDocument(doc)
	if err != nil {
		return observed{}, err
	}
	f := policyField("role policy", plain)
	if want, ok := r.replicationRolePolicy(x.st); ok && policyField("", want).key() != f.key() {
		f.value = explainPolicyDiff(want, plain)
	}
	return observed{exists: true, fields: []field{f}}, nil
}

func (x rolePolicyStep) converge(ctx context.Context, r *run, obs observed) error {
	doc, ok := r.replicationRolePolicy(x.st)
	if !ok {
		return r.dependencyError(x.st, "role policy of "+x.name, "a key it names does not exist")
	}
	return r.mutate(x.st, mutation{op: "iam:PutRolePolicy", resource: x.name}, func(ctx context.Context) (string, error) {
		return r.get("replicationRole.arn"), r.acct.IAM().PutRolePolicy(ctx, x.name, replicationPolicyName, doc)
	})
}

// undo deletes the policy from the landscape's own role (someone else's
// role of that name keeps it).
func (x rolePolicyStep) undo(ctx context.Context, r *run, info undoInfo) (Action, error) {
	rl, err := r.findRole(x.st)
	if isFieldError(err) {
		return ActionKeep, nil // someone else's role of that name
	}
	if err != nil || !rl.exists {
		return ActionKeep, err
	}
	err = r.mutate(x.st, mutation{op: "iam:DeleteRolePolicy", resource: x.name}, func(ctx context.Context) (string, error) {
		return rl.role.Arn, r.acct.IAM().DeleteRolePolicy(ctx, x.name, replicationPolicyName)
	})
	if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
		return ActionKeep, nil
	}
	if err != nil {
		return "", err
	}
	return ActionDelete, nil
}

// deleteRole removes what blocks DeleteRole (inline policies, attached
// managed policies, instance profiles), in that order, then the role.
func (r *run) deleteRole(st *step, name string) error {
	iam := r.acct.IAM()
	// gone treats "already deleted" as success.
	gone := func(err error) error {
		if cloud.IsCode(err, cloud.CodeNoSuchEntity) {
			return nil
		}
		return err
	}
	err := forEachPage(func(marker string) ([]string, string, bool, error) {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListRolePoliciesOutput, error) {
			return iam.ListRolePolicies(ctx, name, marker)
		})
		return page.PolicyNames, page.Marker, page.IsTruncated, err
	}, func(p string) error {
		return gone(r.mutate(st, mutation{op: "iam:DeleteRolePolicy", resource: name}, func(ctx context.Context) (string, error) {
			return "", iam.DeleteRolePolicy(ctx, name, p)
		}))
	})
	if err != nil {
		return fmt.Errorf("remove the inline policies of role %s: %w", name, err)
	}
	err = forEachPage(func(marker string) ([]cloud.AttachedPolicy, string, bool, error) {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListAttachedRolePoliciesOutput, error) {
			return iam.ListAttachedRolePolicies(ctx, name, marker)
		})
		return page.AttachedPolicies, page.Marker, page.IsTruncated, err
	}, func(p cloud.AttachedPolicy) error {
		return gone(r.mutate(st, mutation{op: "iam:DetachRolePolicy", resource: name}, func(ctx context.Context) (string, error) {
			return "", iam.DetachRolePolicy(ctx, name, p.PolicyArn)
		}))
	})
	if err != nil {
		return fmt.Errorf("detach the managed policies of role %s: %w", name, err)
	}
	err = forEachPage(func(marker string) ([]cloud.InstanceProfile, string, bool, error) {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListInstanceProfilesOutput, error) {
			return iam.ListInstanceProfilesForRole(ctx, name, marker)
		})
		return page.InstanceProfiles, page.Marker, page.IsTruncated, err
	}, func(p cloud.InstanceProfile) error {
		return gone(r.mutate(st, mutation{op: "iam:RemoveRoleFromInstanceProfile", resource: name}, func(ctx context.Context) (string, error) {
			return p.Arn, iam.RemoveRoleFromInstanceProfile(ctx, p.InstanceProfileName, name)
		}))
	})
	if err != nil {
		return fmt.Errorf("remove role %s from its instance profiles: %w", name, err)
	}
	return gone(r.mutate(st, mutation{op: "iam:DeleteRole", resource: name}, func(ctx context.Context) (string, error) {
		return "", iam.DeleteRole(ctx, name)
	}))
}

// forEachPage calls fetch for every page of a paged list, following its
// marker, and fn for every item.
func forEachPage[T any](fetch func(marker string) (items []T, next string, more bool, err error), fn func(T) error) error {
	marker := ""
	for {
		items, next, more, err := fetch(marker)
		if err != nil {
			return err
		}
		for _, it := range items {
			if err := fn(it); err != nil {
				return err
			}
		}
		if !more || next == "" {
			return nil
		}
		marker = next
	}
}

// replicationConfig is the desired replication configuration.
func (r *run) replicationConfig(st *step) (cloud.ReplicationConfiguration, bool) {
	sds := sides(r.l)
	roleARN, ok1 := r.replicationRoleARN(st)
	dstKey, ok2 := r.keyARN(st, sds[1])
	return cloud.ReplicationConfiguration{
		Role: roleARN,
		Rules: []cloud.ReplicationRule{{
			ID:                      "hanavault-" + strings.ToLower(r.l.SID) + "-to-" + sds[1].region,
			Priority:                1,
			Status:                  "Enabled",
			DeleteMarkerReplication: r.l.DeleteMarkerReplication,
			SseKmsEncryptedObjects:  true,
			DestinationBucket:       r.bucketARN(sds[1].bucket),
			ReplicaKmsKeyID:         dstKey,
			ReplicationTime:         r.l.ReplicationTimeControl,
			Metrics:                 r.l.ReplicationTimeControl,
		}},
	}, ok1 && ok2
}

func showReplication(c cloud.ReplicationConfiguration) string {
	if len(c.Rules) == 0 {
		return "no rules"
	}
	var parts []string
	for _, ru := range c.Rules {
		p := []string{fmt.Sprintf("%s → %s", ru.Status, strings.TrimPrefix(ru.DestinationBucket, "arn:"))}
		if ru.ReplicaKmsKeyID != "" {
			p = append(p, "re-encrypted with "+ru.ReplicaKmsKeyID)
		} else {
			p = append(p, "no replica key")
		}
		if !ru.SseKmsEncryptedObjects {
			p = append(p, "SSE-KMS objects skipped")
		}
		p = append(p, "delete markers "+onOff(ru.DeleteMarkerReplication), "RTC "+onOff(ru.ReplicationTime))
		parts = append(parts, strings.Join(p, ", "))
	}
	return strings.Join(parts, "; ")
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func canonReplication(c cloud.ReplicationConfiguration) string {
	b, _ := json.Marshal(c)
	return string(b)
}

func (r *run) replicationStep() *step {
	return r.replicationStepOf(sides(r.l)[0])
}

// replicationStepOf is the replication step of the source side src.
func (r *run) replicationStepOf(src side) *step {
	st := &step{
		id: stepID(SideSource, "bucket", "replication"), region: src.region, component: CompReplication, resource: src.bucket,
		title: "Cross-region replication of SSE-KMS backups, re-encrypted with the replica key",
		deps: []string{
			stepID(SideSource, "bucket", "versioning"), stepID(SideReplica, "bucket", "versioning"),
			stepID(GlobalScope, "replication-role", "policy"), stepID(SideReplica, "key"),
		},
		lock: src.bucket,
	}
	s := setting[cloud.ReplicationConfiguration]{
		name: "replication", field: "replication",
		get: func(ctx context.Context, s3 cloud.S3, b string) (cloud.ReplicationConfiguration, bool, error) {
			v, err := s3.GetBucketReplication(ctx, b)
			return absentIf(v, err, cloud.CodeNoSuchReplication)
		},
		want:  func(r *run, st *step) (cloud.ReplicationConfiguration, bool) { return r.replicationConfig(st) },
		show:  showReplication,
		canon: canonReplication,
		putOp: "s3:PutBucketReplication",
		put: func(ctx context.Context, s3 cloud.S3, b string, v cloud.ReplicationConfiguration) error {
			return s3.PutBucketReplication(ctx, b, v)
		},
		delOp: "s3:DeleteBucketReplication",
		del:   func(ctx context.Context, s3 cloud.S3, b string) error { return s3.DeleteBucketReplication(ctx, b) },
		explain: func(d, a cloud.ReplicationConfiguration) string {
			return explainReplication(d, a)
		},
	}
	gen := settingStep(src, backupBucket, s)
	st.desired, st.read, st.converge, st.sendAhead = gen.desired, gen.read, gen.converge, gen.sendAhead
	// Destroy removes replication before the buckets are emptied, so no
	// pending replica lands in an emptied replica bucket; a pre-existing
	// bucket gets its prior configuration back.
	st.undo = func(ctx context.Context, r *run, info undoInfo) (Action, error) {
		if info.preExisting && info.priorSet {
			return gen.undo(ctx, r, info)
		}
		bl, err := r.findBucket(st, src, backupBucket)
		if err != nil || !bl.exists {
			return ActionKeep, err
		}
		if bl.preExisting || info.preExisting {
			// No prior journaled: no journal record shows hanavault wrote
			// this bucket's replication (it never did, or the journal was
			// lost and nobody consented to treating the bucket as ours).
			return ActionKeep, nil
		}
		err = r.mutate(st, mutation{op: "s3:DeleteBucketReplication", resource: src.bucket}, func(ctx context.Context) (string, error) {
			return r.bucketARN(src.bucket), r.acct.S3(src.region).DeleteBucketReplication(ctx, src.bucket)
		})
		if err != nil && !cloud.IsCode(err, cloud.CodeNoSuchReplication) {
			return "", err
		}
		return ActionDelete, nil
	}
	return st
}

// explainReplication names the replication settings that differ.
func explainReplication(d, a cloud.ReplicationConfiguration) string {
	var diffs []string
	if d.Role != a.Role {
		diffs = append(diffs, "role "+a.Role)
	}
	if len(a.Rules) != len(d.Rules) {
		diffs = append(diffs, fmt.Sprintf("%d rules", len(a.Rules)))
	} else {
		for i := range d.Rules {
			dr, ar := d.Rules[i], a.Rules[i]
			if dr.Status != ar.Status {
				diffs = append(diffs, "status "+ar.Status)
			}
			if dr.DestinationBucket != ar.DestinationBucket {
				diffs = append(diffs, "destination "+ar.DestinationBucket)
			}
			if dr.ReplicaKmsKeyID != ar.ReplicaKmsKeyID {
				k := ar.ReplicaKmsKeyID
				if k == "" {
					k = "(none)"
				}
				diffs = append(diffs, "replica key "+k)
			}
			if dr.SseKmsEncryptedObjects != ar.SseKmsEncryptedObjects {
				diffs = append(diffs, "SSE-KMS objects "+map[bool]string{true: "included", false: "skipped"}[ar.SseKmsEncryptedObjects])
			}
			if dr.DeleteMarkerReplication != ar.DeleteMarkerReplication {
				diffs = append(diffs, "delete markers "+onOff(ar.DeleteMarkerReplication))
			}
			if dr.ReplicationTime != ar.ReplicationTime || dr.Metrics != ar.Metrics {
				diffs = append(diffs, "RTC "+onOff(ar.ReplicationTime)+", metrics "+onOff(ar.Metrics))
			}
			if dr.ID != ar.ID || dr.Priority != ar.Priority || dr.Prefix != ar.Prefix || dr.StorageClass != ar.StorageClass {
				diffs = append(diffs, fmt.Sprintf("rule %s priority %d prefix %q", ar.ID, ar.Priority, ar.Prefix))
			}
		}
	}
	if len(diffs) == 0 {
		return showReplication(a)
	}
	return strings.Join(diffs, ", ")
}
