package steps

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
)

// logPrefix is where server access logs land in a log bucket.
const logPrefix = "access-logs/"

const ownershipEnforced = "BucketOwnerEnforced"

func (r *run) bucketSteps(sd side, k bucketKind) []*step {
	name := sd.bucketName(k)
	b := &step{
		id: stepID(sd.name, string(k)), region: sd.region, component: componentOf(k), resource: name, lock: name,
	}
	if k == logBucket {
		b.title = "Log bucket (server access logs)"
	} else {
		b.title = "Backup bucket"
	}
	b.desired = func(r *run) []field { return []field{{name: "region", value: sd.region}} }
	b.read = func(ctx context.Context, r *run) (observed, error) {
		bl, err := r.findBucket(b, sd, k)
		if err != nil || !bl.exists {
			return observed{}, err
		}
		obs := observed{exists: true, preExisting: bl.preExisting, id: r.bucketARN(name), fields: []field{{name: "region", value: sd.region}}, owner: bl.owner()}
		if bl.preExisting {
			obs.note = fmt.Sprintf("bucket %s already exists in your account: hanavault will manage its settings and keep it (and its objects) on destroy", name)
			w, err := r.adoptedObjectsWarning(b, sd, k)
			if err != nil {
				return observed{}, err
			}
			if w != nil {
				obs.warnings = append(obs.warnings, *w)
			}
		}
		return obs, nil
	}
	b.converge = func(ctx context.Context, r *run, obs observed) error {
		s3 := r.acct.S3(sd.region)
		var clock skew
		if sd.region == "us-east-1" {
			clock = r.awsSkew(b) // before the request: the window is in AWS's clock
		}
		sent := r.e.opts.Now()
		err := r.mutate(b, mutation{op: "s3:CreateBucket", resource: name}, func(ctx context.Context) (string, error) {
			err := s3.CreateBucket(ctx, cloud.CreateBucketInput{
				Bucket: name, LocationConstraint: locationConstraint(sd.region), ObjectOwnership: ownershipEnforced,
			})
			if err == nil && sd.region == "us-east-1" {
				// us-east-1 answers 200 to CreateBucket of a bucket the
				// account already owns: the answer proves nothing until
				// the bucket's CreationDate says it is from this request.
				created, ok, lerr := r.bucketCreationDate(b, sd.region, name)
				if lerr != nil {
					return "", lerr
				}
				if ok && !(window{sent, r.e.opts.Now()}).inAWS(clock).contains(created) {
					return "", errNotOurCreate
				}
			}
			return r.bucketARN(name), err
		})
		switch {
		case errors.Is(err, errNotOurCreate), cloud.IsCode(err, cloud.CodeBucketAlreadyOwnedByYou):
			// Ours only if an earlier create of ours was sent, its answer
			// lost (or, in us-east-1, the read of its CreationDate failed
			// and the step was retried), and the bucket was created in
			// that call's window.
			forget(r, "bucket:"+name)
			if ours, _, lerr := r.ownsBucketIn(ownershipOf(r.jr.Records()), b, sd.region, name); lerr != nil || !ours {
				if lerr != nil {
					return lerr
				}
				return r.bucketTakenMeanwhile(b, sd, k)
			}
		case cloud.IsCode(err, cloud.CodeBucketAlreadyExists):
			return &fieldError{field: sd.bucketField(k), msg: fmt.Sprintf(
				"bucket name %q was just taken by another AWS account; choose another name", name)}
		case err != nil:
			return err
		}
		remember(r, "bucket:"+name, bucketLookup{exists: true})
		return nil
	}
	b.undo = func(ctx context.Context, r *run, info undoInfo) (Action, error) {
		bl, err := r.findBucket(b, sd, k)
		if err != nil {
			return "", err
		}
		if !bl.exists {
			return ActionKeep, nil
		}
		if bl.preExisting || info.preExisting {
			if k == backupBucket {
				if err := r.removeVerifyCanaries(b, sd.region, name); err != nil {
					return "", err
				}
			}
			r.addKept(fmt.Sprintf("bucket %s in %s: it existed before hanavault, so it stays with its objects; its settings were restored", name, sd.region))
			return ActionKeep, nil
		}
		if err := r.emptyAndDeleteBucket(b, sd.region, name); err != nil {
			return "", err
		}
		forget(r, "bucket:"+name)
		return ActionDelete, nil
	}

	steps := []*step{b,
		settingStep(sd, k, ownershipSetting()),
		settingStep(sd, k, publicAccessSetting()),
		settingStep(sd, k, encryptionSetting(sd, k)),
		settingStep(sd, k, bucketPolicySetting(sd, k)),
		settingStep(sd, k, lifecycleSetting(k)),
		r.bucketTagsStep(sd, k),
	}
	if k == backupBucket {
		steps = append(steps, settingStep(sd, k, versioningSetting()), settingStep(sd, k, loggingSetting(sd)))
	}
	return steps
}

// adoptedObjectsWarning names the objects already in a pre-existing
// bucket, which the lifecycle hanavault sets archives and expires like the
// backups; nil when the bucket is empty.
func (r *run) adoptedObjectsWarning(st *step, sd side, k bucketKind) (*Warning, error) {
	const named = 3
	name := sd.bucketName(k)
	page, err := read(r, st, func(ctx context.Context) (cloud.ListObjectVersionsOutput, error) {
		return r.acct.S3(sd.region).ListObjectVersions(ctx, cloud.ListObjectVersionsInput{Bucket: name, MaxKeys: 100})
	})
	if err != nil {
		return nil, fmt.Errorf("list the objects already in bucket %s: %w", name, err)
	}
	var keys []string
	more := page.IsTruncated
	for _, v := range page.Versions {
		if !v.IsLatest {
			continue
		}
		if len(keys) == named {
			more = true
			break
		}
		keys = append(keys, v.Key)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	list := strings.Join(keys, ", ")
	if more {
		list += " and more"
	}
	if k == logBucket {
		return &Warning{Field: "logRetentionDays", Message: fmt.Sprintf(
			"bucket %s already holds objects (%s): the access-log lifecycle expires them too, %d days after their upload, so older ones are deleted within a day of apply",
			name, list, r.l.LogRetentionDays)}, nil
	}
	lc := r.l.Lifecycle
	return &Warning{Field: "lifecycle", Message: fmt.Sprintf(
		"bucket %s already holds objects (%s): the lifecycle applies to them too: they move to %s %d days after their upload and expire at day %d, so objects older than that are archived or expired within a day of apply",
		name, list, lc.StorageClass, lc.TransitionDays, lc.ExpirationDays())}, nil
}

// bucketTakenMeanwhile is the error for a bucket that appeared in the
// account between the read and this landscape's CreateBucket: another
// landscape applied at the same time, or someone else. It is not this
// landscape's, so apply stops rather than take it over.
func (r *run) bucketTakenMeanwhile(st *step, sd side, k bucketKind) error {
	return &fieldError{field: sd.bucketField(k), msg: fmt.Sprintf(
		"bucket %q was created in account %s by someone else while this apply ran (another landscape applied at the same time?); "+
			"no journal record shows this landscape created it, so apply stops: choose another name, or rerun apply to plan it as a pre-existing bucket",
		sd.bucketName(k), r.id.Account)}
}

func ownershipSetting() setting[string] {
	return setting[string]{
		name: "ownership", title: "Object ownership (ACLs disabled)", field: "object ownership",
		get: func(ctx context.Context, s3 cloud.S3, b string) (string, bool, error) {
			v, err := s3.GetBucketOwnershipControls(ctx, b)
			return absentIf(v, err, cloud.CodeNoSuchOwnershipControls)
		},
		want: func(*run, *step) (string, bool) { return ownershipEnforced, true },
		show: func(v string) string { return v },
		// CreateBucket sets it (x-amz-object-ownership), saving a call.
		atCreate: func() string { return ownershipEnforced },
		putOp:    "s3:PutBucketOwnershipControls",
		put: func(ctx context.Context, s3 cloud.S3, b, v string) error {
			return s3.PutBucketOwnershipControls(ctx, b, v)
		},
		delOp: "s3:DeleteBucketOwnershipControls",
		del: func(ctx context.Context, s3 cloud.S3, b string) error {
			return s3.DeleteBucketOwnershipControls(ctx, b)
		},
	}
}

func publicAccessSetting() setting[cloud.PublicAccessBlock] {
	return setting[cloud.PublicAccessBlock]{
		name: "public-access-block", title: "Block Public Access (all four settings)", field: "block public access",
		get: func(ctx context.Context, s3 cloud.S3, b string) (cloud.PublicAccessBlock, bool, error) {
			v, err := s3.GetPublicAccessBlock(ctx, b)
			return absentIf(v, err, cloud.CodeNoSuchPublicAccessBlock)
		},
		want: func(*run, *step) (cloud.PublicAccessBlock, bool) {
			return cloud.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}, true
		},
		show: func(v cloud.PublicAccessBlock) string {
			var off []string
			for _, f := range []struct {
				n  string
				on bool
			}{{"BlockPublicAcls", v.BlockPublicAcls}, {"IgnorePublicAcls", v.IgnorePublicAcls}, {"BlockPublicPolicy", v.BlockPublicPolicy}, {"RestrictPublicBuckets", v.RestrictPublicBuckets}} {
				if !f.on {
					off = append(off, f.n)
				}
			}
			if len(off) == 0 {
				return "all four on"
			}
			return "off: " + strings.Join(off, ", ")
		},
		putOp: "s3:PutPublicAccessBlock",
		put: func(ctx context.Context, s3 cloud.S3, b string, v cloud.PublicAccessBlock) error {
			return s3.PutPublicAccessBlock(ctx, b, v)
		},
		delOp: "s3:DeletePublicAccessBlock",
		del:   func(ctx context.Context, s3 cloud.S3, b string) error { return s3.DeletePublicAccessBlock(ctx, b) },
	}
}

func encryptionSetting(sd side, k bucketKind) setting[cloud.ServerSideEncryptionByDefault] {
	s := setting[cloud.ServerSideEncryptionByDefault]{
		name: "encryption", field: "default encryption",
		get: func(ctx context.Context, s3 cloud.S3, b string) (cloud.ServerSideEncryptionByDefault, bool, error) {
			v, err := s3.GetBucketEncryption(ctx, b)
			return absentIf(v, err, cloud.CodeNoSuchEncryption)
		},
		show: func(v cloud.ServerSideEncryptionByDefault) string {
			switch v.SSEAlgorithm {
			case cloud.SSEAES256:
				return "SSE-S3 (AES256)"
			case cloud.SSEKMS:
				key := v.KMSMasterKeyID
				if key == "" {
					key = "aws/s3"
				}
				bk := "bucket key off"
				if v.BucketKeyEnabled {
					bk = "bucket key on"
				}
				return "SSE-KMS " + key + ", " + bk
			}
			return v.SSEAlgorithm
		},
		putOp: "s3:PutBucketEncryption",
		put: func(ctx context.Context, s3 cloud.S3, b string, v cloud.ServerSideEncryptionByDefault) error {
			return s3.PutBucketEncryption(ctx, b, v)
		},
		delOp: "s3:DeleteBucketEncryption",
		del:   func(ctx context.Context, s3 cloud.S3, b string) error { return s3.DeleteBucketEncryption(ctx, b) },
	}
	if k == logBucket {
		// Server access logs can only be delivered to SSE-S3 buckets.
		s.title = "Default encryption SSE-S3 (access logs cannot use SSE-KMS)"
		s.want = func(*run, *step) (cloud.ServerSideEncryptionByDefault, bool) {
			return cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEAES256}, true
		}
		return s
	}
	s.title = "Default encryption SSE-KMS with the landscape key, bucket key on"
	s.deps = []string{stepID(sd.name, "key")}
	s.want = func(r *run, st *step) (cloud.ServerSideEncryptionByDefault, bool) {
		arn, ok := r.keyARN(st, sd)
		return cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEKMS, KMSMasterKeyID: arn, BucketKeyEnabled: true}, ok
	}
	return s
}

func (r *run) bucketPolicy(st *step, sd side) (string, bool) {
	arn, ok := r.keyARN(st, sd)
	return policy.BucketPolicy(policy.BucketPolicyParams{
		Partition:               r.partition(),
		Bucket:                  sd.bucket,
		KeyARN:                  arn,
		BackupRoleARN:           r.get("ec2Role.arn"),
		RequireEncryptionHeader: r.l.RequireEncryptionHeader,
	}).JSON(), ok
}

func (r *run) logBucketPolicy(sd side) string {
	return policy.LogBucketPolicy(policy.LogBucketPolicyParams{
		Partition:    r.partition(),
		Account:      r.id.Account,
		LogBucket:    sd.logBucket,
		SourceBucket: sd.bucket,
		Prefix:       logPrefix,
	}).JSON()
}

func bucketPolicySetting(sd side, k bucketKind) setting[string] {
	s := setting[string]{
		name: "policy", field: "bucket policy",
		get: func(ctx context.Context, s3 cloud.S3, b string) (string, bool, error) {
			v, err := s3.GetBucketPolicy(ctx, b)
			return absentIf(v, err, cloud.CodeNoSuchBucketPolicy)
		},
		show:    func(v string) string { return policyField("", v).value },
		canon:   func(v string) string { return policyField("", v).key() },
		explain: explainPolicyDiff,
		putOp:   "s3:PutBucketPolicy",
		put:     func(ctx context.Context, s3 cloud.S3, b, v string) error { return s3.PutBucketPolicy(ctx, b, v) },
		delOp:   "s3:DeleteBucketPolicy",
		del:     func(ctx context.Context, s3 cloud.S3, b string) error { return s3.DeleteBucketPolicy(ctx, b) },
	}
	if k == logBucket {
		s.title = "Bucket policy (log delivery from the backup bucket only, TLS only)"
		s.want = func(r *run, _ *step) (string, bool) { return r.logBucketPolicy(sd), true }
		return s
	}
	s.title = "Bucket policy (TLS only, aws:kms uploads only, Backint role access incl. s3:RestoreObject for recall)"
	s.deps = []string{stepID(sd.name, "key")}
	s.want = func(r *run, st *step) (string, bool) { return r.bucketPolicy(st, sd) }
	return s
}

// lifecycleConfig is the desired lifecycle of a bucket kind.
func (r *run) lifecycleConfig(k bucketKind) cloud.LifecycleConfiguration {
	if k == logBucket {
		return cloud.LifecycleConfiguration{Rules: []cloud.LifecycleRule{{
			ID: "hanavault-expire-access-logs", Status: "Enabled",
			ExpirationDays:                     int32(r.l.LogRetentionDays),
			AbortIncompleteMultipartUploadDays: 7,
		}}}
	}
	lc := r.l.Lifecycle
	return cloud.LifecycleConfiguration{Rules: []cloud.LifecycleRule{
		{
			ID: "hanavault-archive-and-expire", Status: "Enabled",
			Transitions:                        []cloud.Transition{{Days: int32(lc.TransitionDays), StorageClass: lc.StorageClass}},
			ExpirationDays:                     int32(lc.ExpirationDays()),
			NoncurrentVersionExpirationDays:    int32(lc.NoncurrentExpirationDays),
			AbortIncompleteMultipartUploadDays: int32(lc.AbortIncompleteMultipartDays),
		},
		{
			// ExpiredObjectDeleteMarker cannot share a rule with Expiration Days.
			ID: "hanavault-expired-delete-markers", Status: "Enabled",
			ExpiredObjectDeleteMarker: true,
		},
	}}
}

func canonLifecycle(c cloud.LifecycleConfiguration) string {
	rules := append([]cloud.LifecycleRule(nil), c.Rules...)
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	var b strings.Builder
	min := c.TransitionDefaultMinimumObjectSize
	if min == "" {
		min = "all_storage_classes_128K"
	}
	b.WriteString("min=" + min + ";")
	for _, r := range rules {
		fmt.Fprintf(&b, "[%s %s prefix=%q", r.ID, r.Status, r.Prefix)
		ts := append([]cloud.Transition(nil), r.Transitions...)
		sort.Slice(ts, func(i, j int) bool { return ts[i].Days < ts[j].Days })
		for _, t := range ts {
			fmt.Fprintf(&b, " t%d:%s", t.Days, t.StorageClass)
		}
		nts := append([]cloud.Transition(nil), r.NoncurrentVersionTransitions...)
		sort.Slice(nts, func(i, j int) bool { return nts[i].Days < nts[j].Days })
		for _, t := range nts {
			fmt.Fprintf(&b, " nt%d:%s", t.Days, t.StorageClass)
		}
		fmt.Fprintf(&b, " exp=%d edm=%t nexp=%d abort=%d]", r.ExpirationDays, r.ExpiredObjectDeleteMarker,
			r.NoncurrentVersionExpirationDays, r.AbortIncompleteMultipartUploadDays)
	}
	return b.String()
}

// showLifecycle describes a lifecycle configuration in words.
func showLifecycle(c cloud.LifecycleConfiguration) string {
	var parts []string
	rules := append([]cloud.LifecycleRule(nil), c.Rules...)
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	for _, r := range rules {
		if r.Status != "Enabled" {
			parts = append(parts, r.ID+" disabled")
			continue
		}
		var p []string
		for _, t := range r.Transitions {
			p = append(p, fmt.Sprintf("%s at day %d", t.StorageClass, t.Days))
		}
		if r.ExpirationDays > 0 {
			p = append(p, fmt.Sprintf("expire at day %d", r.ExpirationDays))
		}
		if r.NoncurrentVersionExpirationDays > 0 {
			p = append(p, fmt.Sprintf("noncurrent versions deleted after %d days", r.NoncurrentVersionExpirationDays))
		}
		if r.ExpiredObjectDeleteMarker {
			p = append(p, "expired delete markers removed")
		}
		if r.AbortIncompleteMultipartUploadDays > 0 {
			p = append(p, fmt.Sprintf("incomplete uploads aborted after %d days", r.AbortIncompleteMultipartUploadDays))
		}
		if r.Prefix != "" {
			p = append(p, "only "+r.Prefix)
		}
		parts = append(parts, strings.Join(p, ", "))
	}
	if len(parts) == 0 {
		return "no rules"
	}
	return strings.Join(parts, "; ")
}

func lifecycleSetting(k bucketKind) setting[cloud.LifecycleConfiguration] {
	title := "Lifecycle (archive, expiry, noncurrent versions, delete markers, incomplete uploads)"
	if k == logBucket {
		title = "Lifecycle (access logs expire)"
	}
	return setting[cloud.LifecycleConfiguration]{
		name: "lifecycle", title: title, field: "lifecycle",
		get: func(ctx context.Context, s3 cloud.S3, b string) (cloud.LifecycleConfiguration, bool, error) {
			v, err := s3.GetBucketLifecycleConfiguration(ctx, b)
			return absentIf(v, err, cloud.CodeNoSuchLifecycle)
		},
		want:  func(r *run, _ *step) (cloud.LifecycleConfiguration, bool) { return r.lifecycleConfig(k), true },
		show:  showLifecycle,
		canon: canonLifecycle,
		putOp: "s3:PutBucketLifecycleConfiguration",
		put: func(ctx context.Context, s3 cloud.S3, b string, v cloud.LifecycleConfiguration) error {
			return s3.PutBucketLifecycleConfiguration(ctx, b, v)
		},
		delOp: "s3:DeleteBucketLifecycle",
		del:   func(ctx context.Context, s3 cloud.S3, b string) error { return s3.DeleteBucketLifecycle(ctx, b) },
	}
}

func versioningSetting() setting[string] {
	suspend := func(ctx context.Context, s3 cloud.S3, b string) error {
		// Versioning can be suspended, never switched off again.
		return s3.PutBucketVersioning(ctx, b, cloud.VersioningSuspended)
	}
	return setting[string]{
		name: "versioning", title: "Versioning", field: "versioning",
		get: func(ctx context.Context, s3 cloud.S3, b string) (string, bool, error) {
			v, err := s3.GetBucketVersioning(ctx, b)
			return v, err == nil && v != "", err
		},
		want:  func(*run, *step) (string, bool) { return cloud.VersioningEnabled, true },
		show:  func(v string) string { return v },
		putOp: "s3:PutBucketVersioning",
		put: func(ctx context.Context, s3 cloud.S3, b, v string) error {
			if v == "" {
				v = cloud.VersioningSuspended
			}
			return s3.PutBucketVersioning(ctx, b, v)
		},
		delOp: "s3:PutBucketVersioning",
		del:   suspend,
	}
}

// loggingTarget is the desired access-log configuration of a backup bucket.
func loggingTarget(sd side) cloud.LoggingEnabled {
	return cloud.LoggingEnabled{TargetBucket: sd.logBucket, TargetPrefix: logPrefix, PartitionedPrefix: true, PartitionDateSource: "EventTime"}
}

func loggingSetting(sd side) setting[cloud.LoggingEnabled] {
	return setting[cloud.LoggingEnabled]{
		name: "logging", title: "Server access logging to the log bucket", field: "access logging",
		deps: []string{stepID(sd.name, string(logBucket), "policy")},
		get: func(ctx context.Context, s3 cloud.S3, b string) (cloud.LoggingEnabled, bool, error) {
			v, err := s3.GetBucketLogging(ctx, b)
			if err != nil || v == nil {
				return cloud.LoggingEnabled{}, false, err
			}
			return *v, true, nil
		},
		want: func(*run, *step) (cloud.LoggingEnabled, bool) { return loggingTarget(sd), true },
		show: func(v cloud.LoggingEnabled) string {
			format := "simple prefix"
			if v.PartitionedPrefix {
				src := v.PartitionDateSource
				if src == "" {
					src = "EventTime"
				}
				format = "partitioned by " + src
			}
			return fmt.Sprintf("to %s/%s (%s)", v.TargetBucket, v.TargetPrefix, format)
		},
		canon: func(v cloud.LoggingEnabled) string {
			src := v.PartitionDateSource
			if v.PartitionedPrefix && src == "" {
				src = "EventTime"
			}
			return fmt.Sprintf("%s|%s|%t|%s", v.TargetBucket, v.TargetPrefix, v.PartitionedPrefix, src)
		},
		putOp: "s3:PutBucketLogging",
		put: func(ctx context.Context, s3 cloud.S3, b string, v cloud.LoggingEnabled) error {
			return s3.PutBucketLogging(ctx, b, &v)
		},
		delOp: "s3:PutBucketLogging",
		del:   func(ctx context.Context, s3 cloud.S3, b string) error { return s3.PutBucketLogging(ctx, b, nil) },
	}
}

// bucketTagsStep manages hanavault's tags on a bucket, leaving other tags
// alone. Pre-existing buckets are tagged as adopted.
func (r *run) bucketTagsStep(sd side, k bucketKind) *step {
	name := sd.bucketName(k)
	st := &step{
		id: stepID(sd.name, string(k), "tags"), region: sd.region, component: componentOf(k), resource: name,
		title: "Tags", deps: []string{stepID(sd.name, string(k))}, lock: name,
	}
	want := func(r *run, bl bucketLookup) []cloud.Tag {
		t := r.tagsFor(componentOf(k), sd.name)
		if bl.preExisting {
			t = append(t, cloud.Tag{Key: TagAdopted, Value: "true"})
			sort.Slice(t, func(i, j int) bool { return t[i].Key < t[j].Key })
		}
		return t
	}
	st.desired = func(r *run) []field {
		bl, _ := r.findBucket(st, sd, k)
		d, _ := tagsField(want(r, bl), nil)
		return []field{d}
	}
	st.read = func(ctx context.Context, r *run) (observed, error) {
		bl, err := r.findBucket(st, sd, k)
		if err != nil || !bl.exists {
			return observed{}, err
		}
		if r.createdNow(st.deps[0]) {
			// CreateBucket sent no tags: a bucket this run made has none,
			// and its tags are put without reading them first.
			_, a := tagsField(want(r, bl), nil)
			return observed{exists: true, fields: []field{a}, priorAbsent: true}, nil
		}
		tags, err := read(r, st, func(ctx context.Context) ([]cloud.Tag, error) {
			return r.acct.S3(sd.region).GetBucketTagging(ctx, name)
		})
		absent := cloud.IsCode(err, cloud.CodeNoSuchTagSet)
		if err != nil && !absent {
			return observed{}, fmt.Errorf("read tags of bucket %s: %w", name, err)
		}
		_, a := tagsField(want(r, bl), tags)
		obs := observed{exists: true, preExisting: bl.preExisting, fields: []field{a}, prior: tags, priorAbsent: absent}
		return obs, nil
	}
	st.converge = func(ctx context.Context, r *run, obs observed) error {
		bl, err := r.findBucket(st, sd, k)
		if err != nil {
			return err
		}
		have, _ := obs.prior.([]cloud.Tag)
		merged := mergeTags(have, want(r, bl))
		err = r.mutate(st, mutation{op: "s3:PutBucketTagging", resource: name, preExisting: obs.preExisting, prior: obs.prior, priorAbsent: obs.priorAbsent},
			func(ctx context.Context) (string, error) {
				return r.bucketARN(name), r.acct.S3(sd.region).PutBucketTagging(ctx, name, merged)
			})
		if err == nil {
			bl.tags = merged
			remember(r, "bucket:"+name, bl)
		}
		return err
	}
	st.undo = func(ctx context.Context, r *run, info undoInfo) (Action, error) {
		if !info.preExisting || !info.priorSet {
			return ActionKeep, nil
		}
		bl, err := r.findBucket(st, sd, k)
		if err != nil || !bl.exists {
			return ActionKeep, err
		}
		s3 := r.acct.S3(sd.region)
		if info.priorAbsent {
			return ActionRestore, r.mutate(st, mutation{op: "s3:DeleteBucketTagging", resource: name, preExisting: true}, func(ctx context.Context) (string, error) {
				return r.bucketARN(name), s3.DeleteBucketTagging(ctx, name)
			})
		}
		var prior []cloud.Tag
		if err := json.Unmarshal(info.prior, &prior); err != nil {
			return "", fmt.Errorf("decode the journaled prior tags of bucket %s: %w", name, err)
		}
		return ActionRestore, r.mutate(st, mutation{op: "s3:PutBucketTagging", resource: name, preExisting: true}, func(ctx context.Context) (string, error) {
			return r.bucketARN(name), s3.PutBucketTagging(ctx, name, prior)
		})
	}
	return st
}
