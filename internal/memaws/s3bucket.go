package memaws

import (
	"bytes"
	"context"
	"encoding/json"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
)

const (
	ownershipEnforced  = "BucketOwnerEnforced"
	codePermRedirect   = "PermanentRedirect"
	codeInvalidBucket  = "InvalidBucketState"
	usEast1            = "us-east-1"
	maxBucketPolicy    = 20 * 1024
	maxLifecycleRules  = 1000
	maxReplRules       = 1000
	defaultMinObjSize  = "all_storage_classes_128K"
	variesMinObjSize   = "varies_by_storage_class"
	logDeliveryService = "logging.s3.amazonaws.com"
)

var storageClasses = []string{"STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING",
	"GLACIER", "DEEP_ARCHIVE", "GLACIER_IR", "OUTPOSTS", "SNOW", "EXPRESS_ONEZONE"}

// transitionClasses are the classes lifecycle transitions may target.
var transitionClasses = []string{"STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR"}

type s3Client struct {
	a      *Account
	region string
}

func (c s3Client) ci(op, bucket, key string) callInfo {
	res := bucket
	if key != "" {
		res += "/" + key
	}
	return callInfo{svc: "s3", op: op, region: c.region, resource: res, bucket: bucket, key: key}
}

func locationFor(region string) string {
	if region == usEast1 {
		return ""
	}
	return region
}

func noSuchBucket() error {
	return awsErr(cloud.CodeNoSuchBucket, 404, "The specified bucket does not exist")
}

// bucketAt returns an owned bucket addressed through this client's
// endpoint. Caller holds mu.
func (c s3Client) bucketAt(name string) (*bucket, error) {
	w := c.a.w
	if b := w.st.Buckets[name]; b != nil {
		if b.Region == c.region {
			return b, nil
		}
		if c.region == usEast1 {
			return nil, awsErr(cloud.CodeAuthorizationHeaderMalformed, 400,
				"The authorization header is malformed; the region '%s' is wrong; expecting '%s'", c.region, b.Region)
		}
		return nil, awsErr(codePermRedirect, 301,
			"The bucket you are attempting to access must be addressed using the specified endpoint. Please send all future requests to this endpoint: %s.s3.%s.%s",
			name, b.Region, cloud.DNSSuffix(w.st.Partition))
	}
	if _, ok := w.st.ForeignBuckets[name]; ok {
		return nil, awsErr(cloud.CodeAccessDenied, 403, "Access Denied")
	}
	return nil, noSuchBucket()
}

// newBucket creates a bucket with the defaults S3 applies since 2023.
// Caller owns w.
func (w *world) newBucket(name, region, location string, now time.Time, ownership string) *bucket {
	if ownership == "" {
		ownership = ownershipEnforced
	}
	b := &bucket{
		Name: name, Region: region, Location: location, Created: now,
		Encryption: cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEAES256},
		PAB:        &cloud.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true},
		Ownership:  ownership,
		Objects:    map[string][]*objVersion{}, Uploads: map[string]*upload{},
	}
	w.st.Buckets[name] = b
	w.dirty = true
	return b
}

// validBucketName applies the general purpose bucket naming rules.
func validBucketName(n string) bool {
	if len(n) < 3 || len(n) > 63 {
		return false
	}
	for _, c := range n {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	alnum := func(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }
	if !alnum(n[0]) || !alnum(n[len(n)-1]) || strings.Contains(n, "..") {
		return false
	}
	if parts := strings.Split(n, "."); len(parts) == 4 {
		ip := true
		for _, p := range parts {
			if v, err := strconv.Atoi(p); err != nil || v < 0 || v > 255 {
				ip = false
			}
		}
		if ip {
			return false
		}
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(n, p) {
			return false
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(n, s) {
			return false
		}
	}
	return true
}

func (c s3Client) ListBuckets(ctx context.Context) ([]cloud.BucketSummary, error) {
	return call(c.a, ctx, callInfo{svc: "s3", op: "ListBuckets", region: c.region}, func(time.Time) ([]cloud.BucketSummary, error) {
		w := c.a.w
		out := make([]cloud.BucketSummary, 0, len(w.st.Buckets))
		for _, b := range w.st.Buckets {
			out = append(out, cloud.BucketSummary{Name: b.Name, CreationDate: b.Created, BucketRegion: b.Region})
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
		return out, nil
	})
}

// ServerClock answers with the account's clock, to the second, as the Date
// header of an S3 answer does (Amazon S3 API Reference, Common Response
// Headers: Date is the date and time Amazon S3 responded, an HTTP date
// with whole seconds). AWS's clock may be off the caller's: see
// Account.SetClockOffset.
func (c s3Client) ServerClock(ctx context.Context) (time.Time, error) {
	return call(c.a, ctx, callInfo{svc: "s3", op: "ListBuckets", region: c.region}, func(now time.Time) (time.Time, error) {
		return now.UTC().Truncate(time.Second), nil
	})
}

func (c s3Client) CreateBucket(ctx context.Context, in cloud.CreateBucketInput) error {
	return c.a.run(ctx, callInfo{svc: "s3", op: "CreateBucket", region: c.region, resource: in.Bucket}, func(now time.Time) error {
		w := c.a.w
		if !validBucketName(in.Bucket) {
			return awsErr(cloud.CodeInvalidBucketName, 400, "The specified bucket is not valid.")
		}
		lc := in.LocationConstraint
		switch {
		case c.region == usEast1 && lc != "":
			return awsErr(cloud.CodeInvalidLocationConstraint, 400, "The specified location-constraint is not valid")
		case c.region != usEast1 && lc == "":
			return awsErr(cloud.CodeIllegalLocationConstraint, 400,
				"The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		case lc == "EU" && c.region == "eu-west-1":
			// The legacy name of eu-west-1 is still accepted.
		case lc != "" && !w.knownRegion(lc):
			return awsErr(cloud.CodeInvalidLocationConstraint, 400, "The specified location-constraint is not valid")
		case lc != "" && lc != c.region:
			return awsErr(cloud.CodeIllegalLocationConstraint, 400,
				"The %s location constraint is incompatible for the region specific endpoint this request was sent to.", lc)
		}
		switch in.ObjectOwnership {
		case "", ownershipEnforced, "BucketOwnerPreferred", "ObjectWriter":
		default:
			return awsErr(cloud.CodeInvalidArgument, 400, "Invalid x-amz-object-ownership header: %s", in.ObjectOwnership)
		}
		if b := w.st.Buckets[in.Bucket]; b != nil {
			// Amazon S3 API Reference, CreateBucket / error
			// BucketAlreadyOwnedByYou: every Region answers that error for
			// a bucket the account already owns, except us-east-1, which
			// for legacy compatibility answers 200 OK (and resets the
			// bucket's ACLs, which BucketOwnerEnforced buckets ignore).
			if c.region == usEast1 && b.Region == usEast1 {
				return nil // legacy us-east-1: 200, nothing changes
			}
			return awsErr(cloud.CodeBucketAlreadyOwnedByYou, 409,
				"Your previous request to create the named bucket succeeded and you already own it.")
		}
		if _, ok := w.st.ForeignBuckets[in.Bucket]; ok {
			return awsErr(cloud.CodeBucketAlreadyExists, 409,
				"The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		}
		w.newBucket(in.Bucket, c.region, lc, now, in.ObjectOwnership)
		return nil
	})
}

func (c s3Client) HeadBucket(ctx context.Context, name string) (cloud.HeadBucketOutput, error) {
	return call(c.a, ctx, c.ci("HeadBucket", name, ""), func(time.Time) (cloud.HeadBucketOutput, error) {
		w := c.a.w
		if b := w.st.Buckets[name]; b != nil {
			return cloud.HeadBucketOutput{BucketRegion: b.Region}, nil
		}
		if _, ok := w.st.ForeignBuckets[name]; ok {
			return cloud.HeadBucketOutput{}, awsErr(cloud.CodeForbidden, 403, "Forbidden")
		}
		return cloud.HeadBucketOutput{}, awsErr(cloud.CodeNotFound, 404, "Not Found")
	})
}

func (c s3Client) GetBucketLocation(ctx context.Context, name string) (string, error) {
	return call(c.a, ctx, c.ci("GetBucketLocation", name, ""), func(time.Time) (string, error) {
		w := c.a.w
		if b := w.st.Buckets[name]; b != nil {
			return b.Location, nil
		}
		if _, ok := w.st.ForeignBuckets[name]; ok {
			return "", awsErr(cloud.CodeAccessDenied, 403, "Access Denied")
		}
		return "", noSuchBucket()
	})
}

func (c s3Client) DeleteBucket(ctx context.Context, name string) error {
	return c.a.run(ctx, c.ci("DeleteBucket", name, ""), func(time.Time) error {
		w := c.a.w
		b, err := c.bucketAt(name)
		if err != nil {
			return err
		}
		if len(b.Objects) > 0 || len(b.Uploads) > 0 {
			return awsErr(cloud.CodeBucketNotEmpty, 409, "The bucket you tried to delete is not empty. You must delete all versions in the bucket.")
		}
		delete(w.st.Buckets, name)
		w.dirty = true
		return nil
	})
}

// bucketOp runs a control-plane read on an owned bucket.
func bucketOp[T any](c s3Client, ctx context.Context, op, name string, fn func(b *bucket) (T, error)) (T, error) {
	return call(c.a, ctx, c.ci(op, name, ""), func(time.Time) (T, error) {
		b, err := c.bucketAt(name)
		if err != nil {
			var zero T
			return zero, err
		}
		return fn(b)
	})
}

// bucketChange runs a control-plane change on an owned bucket.
func (c s3Client) bucketChange(ctx context.Context, op, name string, fn func(b *bucket, now time.Time) error) error {
	return c.a.run(ctx, c.ci(op, name, ""), func(now time.Time) error {
		b, err := c.bucketAt(name)
		if err != nil {
			return err
		}
		if err := fn(b, now); err != nil {
			return err
		}
		c.a.w.dirty = true
		return nil
	})
}

func (c s3Client) GetBucketVersioning(ctx context.Context, name string) (string, error) {
	return bucketOp(c, ctx, "GetBucketVersioning", name, func(b *bucket) (string, error) { return b.Versioning, nil })
}

func (c s3Client) PutBucketVersioning(ctx context.Context, name, status string) error {
	return c.bucketChange(ctx, "PutBucketVersioning", name, func(b *bucket, _ time.Time) error {
		switch status {
		case cloud.VersioningEnabled:
		case cloud.VersioningSuspended:
			if b.Replication != nil {
				return awsErr(codeInvalidBucket, 409, "Replication configuration is present on this bucket, so you cannot change the versioning state. To change the versioning state, first delete the replication configuration.")
			}
		default:
			return awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (versioning status %q)", status)
		}
		b.Versioning = status
		return nil
	})
}

func (c s3Client) GetBucketEncryption(ctx context.Context, name string) (cloud.ServerSideEncryptionByDefault, error) {
	return bucketOp(c, ctx, "GetBucketEncryption", name, func(b *bucket) (cloud.ServerSideEncryptionByDefault, error) {
		return b.Encryption, nil
	})
}

func (c s3Client) PutBucketEncryption(ctx context.Context, name string, rule cloud.ServerSideEncryptionByDefault) error {
	return c.bucketChange(ctx, "PutBucketEncryption", name, func(b *bucket, _ time.Time) error {
		switch rule.SSEAlgorithm {
		case cloud.SSEAES256:
			if rule.KMSMasterKeyID != "" {
				return awsErr(cloud.CodeInvalidArgument, 400, "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse")
			}
		case cloud.SSEKMS, "aws:kms:dsse":
			// S3 does not check that the key exists (uploads fail later), but
			// a key ARN must be in the bucket's region.
			if strings.HasPrefix(rule.KMSMasterKeyID, "arn:") {
				a, err := cloud.ParseARN(rule.KMSMasterKeyID)
				if err != nil || a.Service != "kms" || a.Region != b.Region {
					return awsErr(cloud.CodeInvalidArgument, 400, "The KMS key %s is not in the bucket's region %s.", rule.KMSMasterKeyID, b.Region)
				}
			}
		default:
			return awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (SSEAlgorithm %q)", rule.SSEAlgorithm)
		}
		b.Encryption = rule
		return nil
	})
}

func (c s3Client) DeleteBucketEncryption(ctx context.Context, name string) error {
	return c.bucketChange(ctx, "DeleteBucketEncryption", name, func(b *bucket, _ time.Time) error {
		b.Encryption = cloud.ServerSideEncryptionByDefault{SSEAlgorithm: cloud.SSEAES256}
		return nil
	})
}

func (c s3Client) GetPublicAccessBlock(ctx context.Context, name string) (cloud.PublicAccessBlock, error) {
	return bucketOp(c, ctx, "GetPublicAccessBlock", name, func(b *bucket) (cloud.PublicAccessBlock, error) {
		if b.PAB == nil {
			return cloud.PublicAccessBlock{}, awsErr(cloud.CodeNoSuchPublicAccessBlock, 404, "The public access block configuration was not found")
		}
		return *b.PAB, nil
	})
}

func (c s3Client) PutPublicAccessBlock(ctx context.Context, name string, pab cloud.PublicAccessBlock) error {
	return c.bucketChange(ctx, "PutPublicAccessBlock", name, func(b *bucket, _ time.Time) error {
		b.PAB = &pab
		return nil
	})
}

func (c s3Client) DeletePublicAccessBlock(ctx context.Context, name string) error {
	return c.bucketChange(ctx, "DeletePublicAccessBlock", name, func(b *bucket, _ time.Time) error {
		b.PAB = nil
		return nil
	})
}

func (c s3Client) GetBucketOwnershipControls(ctx context.Context, name string) (string, error) {
	return bucketOp(c, ctx, "GetBucketOwnershipControls", name, func(b *bucket) (string, error) {
		if b.Ownership == "" {
			return "", awsErr(cloud.CodeNoSuchOwnershipControls, 404, "The bucket ownership controls were not found")
		}
		return b.Ownership, nil
	})
}

func (c s3Client) PutBucketOwnershipControls(ctx context.Context, name, objectOwnership string) error {
	return c.bucketChange(ctx, "PutBucketOwnershipControls", name, func(b *bucket, _ time.Time) error {
		switch objectOwnership {
		case ownershipEnforced, "BucketOwnerPreferred", "ObjectWriter":
		default:
			return awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (ObjectOwnership %q)", objectOwnership)
		}
		b.Ownership = objectOwnership
		return nil
	})
}

func (c s3Client) DeleteBucketOwnershipControls(ctx context.Context, name string) error {
	return c.bucketChange(ctx, "DeleteBucketOwnershipControls", name, func(b *bucket, _ time.Time) error {
		b.Ownership = ""
		return nil
	})
}

func (c s3Client) GetBucketPolicy(ctx context.Context, name string) (string, error) {
	return bucketOp(c, ctx, "GetBucketPolicy", name, func(b *bucket) (string, error) {
		if b.Policy == "" {
			return "", awsErr(cloud.CodeNoSuchBucketPolicy, 404, "The bucket policy does not exist")
		}
		return b.Policy, nil
	})
}

// checkBucketPolicy validates a bucket policy as S3 does: syntax, every
// resource inside this bucket, only S3 actions, principals that exist.
func (w *world) checkBucketPolicy(doc string, b *bucket) error {
	if len(doc) > maxBucketPolicy {
		return awsErr(cloud.CodeMalformedPolicy, 400, "Policies must be less than 20 KB")
	}
	d, err := parsePolicy(doc, false)
	if err != nil {
		return awsErr(cloud.CodeMalformedPolicy, 400, "%v", err)
	}
	for _, s := range d.Statement {
		res := append(append([]string(nil), s.Resource...), s.NotResource...)
		if len(res) == 0 {
			return awsErr(cloud.CodeMalformedPolicy, 400, "Missing required field Resource")
		}
		for _, r := range res {
			if !w.resourceInBucket(r, b.Name) {
				return awsErr(cloud.CodeMalformedPolicy, 400, "Policy has invalid resource")
			}
		}
		for _, a := range append(append([]string(nil), s.Action...), s.NotAction...) {
			if a != "*" && !strings.HasPrefix(strings.ToLower(a), "s3:") {
				return awsErr(cloud.CodeMalformedPolicy, 400, "Policy has invalid action")
			}
		}
	}
	if v := w.invalidPrincipal(d, principalCheck{}); v != "" {
		return awsErr(cloud.CodeMalformedPolicy, 400, "Invalid principal in policy")
	}
	if b.PAB != nil && b.PAB.BlockPublicPolicy && isPublicPolicy(d) {
		return awsErr(cloud.CodeAccessDenied, 403, "User is not authorized to perform: s3:PutBucketPolicy on resource: %q because public policies are blocked by the BlockPublicPolicy block public access setting.", cloud.BucketARN(w.st.Partition, b.Name))
	}
	return nil
}

// resourceInBucket reports whether a policy resource names the bucket or
// objects in it (wildcards allowed).
func (w *world) resourceInBucket(r, name string) bool {
	prefix := "arn:" + w.st.Partition + ":s3:::"
	if !strings.HasPrefix(r, prefix) {
		return false
	}
	rest := strings.TrimPrefix(r, prefix)
	bucketPart, _, _ := strings.Cut(rest, "/")
	ok, err := path.Match(bucketPart, name)
	return err == nil && ok
}

func (c s3Client) PutBucketPolicy(ctx context.Context, name, policy string) error {
	return c.bucketChange(ctx, "PutBucketPolicy", name, func(b *bucket, _ time.Time) error {
		if err := c.a.w.checkBucketPolicy(policy, b); err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, []byte(policy)); err != nil {
			return awsErr(cloud.CodeMalformedPolicy, 400, "%v", err)
		}
		b.Policy = buf.String()
		return nil
	})
}

func (c s3Client) DeleteBucketPolicy(ctx context.Context, name string) error {
	return c.bucketChange(ctx, "DeleteBucketPolicy", name, func(b *bucket, _ time.Time) error {
		b.Policy = ""
		return nil
	})
}

func (c s3Client) GetBucketLifecycleConfiguration(ctx context.Context, name string) (cloud.LifecycleConfiguration, error) {
	return bucketOp(c, ctx, "GetBucketLifecycleConfiguration", name, func(b *bucket) (cloud.LifecycleConfiguration, error) {
		if b.Lifecycle == nil {
			return cloud.LifecycleConfiguration{}, awsErr(cloud.CodeNoSuchLifecycle, 404, "The lifecycle configuration does not exist")
		}
		out := cloneLifecycle(*b.Lifecycle)
		if out.TransitionDefaultMinimumObjectSize == "" {
			out.TransitionDefaultMinimumObjectSize = defaultMinObjSize
		}
		return out, nil
	})
}

func cloneLifecycle(c cloud.LifecycleConfiguration) cloud.LifecycleConfiguration {
	out := cloud.LifecycleConfiguration{TransitionDefaultMinimumObjectSize: c.TransitionDefaultMinimumObjectSize}
	for _, r := range c.Rules {
		r.Transitions = append([]cloud.Transition(nil), r.Transitions...)
		r.NoncurrentVersionTransitions = append([]cloud.Transition(nil), r.NoncurrentVersionTransitions...)
		out.Rules = append(out.Rules, r)
	}
	return out
}

// checkLifecycle validates a lifecycle configuration.
func checkLifecycle(cfg cloud.LifecycleConfiguration) error {
	malformed := func(why string) error {
		return awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (%s)", why)
	}
	if len(cfg.Rules) == 0 {
		return malformed("no rules")
	}
	if len(cfg.Rules) > maxLifecycleRules {
		return awsErr(cloud.CodeInvalidRequest, 400, "The number of lifecycle rules must not exceed the allowed limit of %d rules", maxLifecycleRules)
	}
	switch cfg.TransitionDefaultMinimumObjectSize {
	case "", defaultMinObjSize, variesMinObjSize:
	default:
		return awsErr(cloud.CodeInvalidRequest, 400, "Invalid TransitionDefaultMinimumObjectSize %q", cfg.TransitionDefaultMinimumObjectSize)
	}
	ids := map[string]bool{}
	for _, r := range cfg.Rules {
		if len(r.ID) > 255 {
			return awsErr(cloud.CodeInvalidArgument, 400, "ID length should not exceed allowed limit of 255")
		}
		if r.ID != "" {
			if ids[r.ID] {
				return awsErr(cloud.CodeInvalidArgument, 400, "Rule ID must be unique. Found same ID for more than one rule")
			}
			ids[r.ID] = true
		}
		if r.Status != "Enabled" && r.Status != "Disabled" {
			return malformed("rule status " + strconv.Quote(r.Status))
		}
		if r.ExpiredObjectDeleteMarker && r.ExpirationDays > 0 {
			return malformed("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy")
		}
		if r.ExpirationDays < 0 || r.NoncurrentVersionExpirationDays < 0 || r.AbortIncompleteMultipartUploadDays < 0 {
			return awsErr(cloud.CodeInvalidArgument, 400, "'Days' for Expiration action must be a positive integer")
		}
		if len(r.Transitions) == 0 && len(r.NoncurrentVersionTransitions) == 0 && r.ExpirationDays == 0 &&
			!r.ExpiredObjectDeleteMarker && r.NoncurrentVersionExpirationDays == 0 && r.AbortIncompleteMultipartUploadDays == 0 {
			return awsErr(cloud.CodeInvalidRequest, 400, "At least one action needs to be specified in a rule")
		}
		if err := checkTransitions(r.Transitions, "Transition", r.ExpirationDays); err != nil {
			return err
		}
		if err := checkTransitions(r.NoncurrentVersionTransitions, "NoncurrentVersionTransition", r.NoncurrentVersionExpirationDays); err != nil {
			return err
		}
	}
	return nil
}

func checkTransitions(ts []cloud.Transition, action string, expiration int32) error {
	seen := map[string]bool{}
	for _, t := range ts {
		if !slices.Contains(transitionClasses, t.StorageClass) {
			return awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (storage class %q)", t.StorageClass)
		}
		if seen[t.StorageClass] {
			return awsErr(cloud.CodeInvalidArgument, 400, "'StorageClass' must be different for '%s' actions in same 'Rule'", action)
		}
		seen[t.StorageClass] = true
		if t.Days < 0 {
			return awsErr(cloud.CodeInvalidArgument, 400, "'Days' in %s action must be nonnegative", action)
		}
		if (t.StorageClass == "STANDARD_IA" || t.StorageClass == "ONEZONE_IA") && t.Days < 30 {
			return awsErr(cloud.CodeInvalidArgument, 400, "'Days' in %s action must be greater than or equal to 30 for storageClass '%s'", action, t.StorageClass)
		}
		if expiration > 0 && expiration <= t.Days {
			return awsErr(cloud.CodeInvalidArgument, 400, "'Days' in the Expiration action must be greater than 'Days' in the %s action", action)
		}
	}
	return nil
}

func (c s3Client) PutBucketLifecycleConfiguration(ctx context.Context, name string, cfg cloud.LifecycleConfiguration) error {
	return c.bucketChange(ctx, "PutBucketLifecycleConfiguration", name, func(b *bucket, _ time.Time) error {
		if err := checkLifecycle(cfg); err != nil {
			return err
		}
		lc := cloneLifecycle(cfg)
		b.Lifecycle = &lc
		return nil
	})
}

func (c s3Client) DeleteBucketLifecycle(ctx context.Context, name string) error {
	return c.bucketChange(ctx, "DeleteBucketLifecycle", name, func(b *bucket, _ time.Time) error {
		b.Lifecycle = nil
		return nil
	})
}

func (c s3Client) GetBucketLogging(ctx context.Context, name string) (*cloud.LoggingEnabled, error) {
	return bucketOp(c, ctx, "GetBucketLogging", name, func(b *bucket) (*cloud.LoggingEnabled, error) {
		if b.Logging == nil {
			return nil, nil
		}
		l := *b.Logging
		return &l, nil
	})
}

// checkLogging validates a logging target for source bucket b.
func (w *world) checkLogging(b *bucket, l *cloud.LoggingEnabled, now time.Time) error {
	switch l.PartitionDateSource {
	case "", "EventTime", "DeliveryTime":
	default:
		return awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (PartitionDateSource %q)", l.PartitionDateSource)
	}
	t := w.st.Buckets[l.TargetBucket]
	switch {
	case t == nil:
		if _, foreign := w.st.ForeignBuckets[l.TargetBucket]; foreign {
			return awsErr(cloud.CodeInvalidTargetBucketLogging, 400, "The owner for the bucket to be logged and the target bucket must be the same.")
		}
		return awsErr(cloud.CodeInvalidTargetBucketLogging, 400, "The target bucket for logging does not exist")
	case t.Region != b.Region:
		return awsErr(cloud.CodeCrossLocationLogging, 403, "Cross S3 location logging not allowed. Target bucket %s is in %s, source bucket %s in %s.", t.Name, t.Region, b.Name, b.Region)
	case t.Name == b.Name:
		return awsErr(cloud.CodeInvalidTargetBucketLogging, 400, "The target bucket for logging must not be the bucket being logged.")
	}
	key := w.logObjectKey(b, l, now, now)
	if !w.logDeliveryAllowed(b, t, key) {
		return awsErr(cloud.CodeInvalidTargetBucketLogging, 400,
			"You must give the log-delivery group WRITE and READ_ACP permissions to the target bucket (no bucket policy statement of %s allows %s to write %s)", t.Name, logDeliveryService, key)
	}
	return nil
}

func (c s3Client) PutBucketLogging(ctx context.Context, name string, logging *cloud.LoggingEnabled) error {
	return c.bucketChange(ctx, "PutBucketLogging", name, func(b *bucket, now time.Time) error {
		if logging == nil {
			b.Logging = nil
			return nil
		}
		if err := c.a.w.checkLogging(b, logging, now); err != nil {
			return err
		}
		l := *logging
		b.Logging = &l
		return nil
	})
}

func (c s3Client) GetBucketTagging(ctx context.Context, name string) ([]cloud.Tag, error) {
	return bucketOp(c, ctx, "GetBucketTagging", name, func(b *bucket) ([]cloud.Tag, error) {
		if len(b.Tags) == 0 {
			return nil, awsErr(cloud.CodeNoSuchTagSet, 404, "The TagSet does not exist")
		}
		return append([]cloud.Tag(nil), b.Tags...), nil
	})
}

func checkBucketTags(tags []cloud.Tag) error {
	if len(tags) > maxTags {
		return awsErr(cloud.CodeInvalidTag, 400, "Object tags cannot be greater than %d", maxTags)
	}
	seen := map[string]bool{}
	for _, t := range tags {
		switch {
		case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
			return awsErr(cloud.CodeInvalidTag, 400, "System tags cannot be added/updated by requester (%q)", t.Key)
		case t.Key == "" || len(t.Key) > 128:
			return awsErr(cloud.CodeInvalidTag, 400, "The TagKey you have provided is invalid")
		case len(t.Value) > 256:
			return awsErr(cloud.CodeInvalidTag, 400, "The TagValue you have provided is invalid")
		case seen[t.Key]:
			return awsErr(cloud.CodeInvalidTag, 400, "Cannot provide multiple Tags with the same key")
		}
		seen[t.Key] = true
	}
	return nil
}

func (c s3Client) PutBucketTagging(ctx context.Context, name string, tags []cloud.Tag) error {
	return c.bucketChange(ctx, "PutBucketTagging", name, func(b *bucket, _ time.Time) error {
		if err := checkBucketTags(tags); err != nil {
			return err
		}
		b.Tags = append([]cloud.Tag(nil), tags...)
		return nil
	})
}

func (c s3Client) DeleteBucketTagging(ctx context.Context, name string) error {
	return c.bucketChange(ctx, "DeleteBucketTagging", name, func(b *bucket, _ time.Time) error {
		b.Tags = nil
		return nil
	})
}

func (c s3Client) GetBucketReplication(ctx context.Context, name string) (cloud.ReplicationConfiguration, error) {
	return bucketOp(c, ctx, "GetBucketReplication", name, func(b *bucket) (cloud.ReplicationConfiguration, error) {
		if b.Replication == nil {
			return cloud.ReplicationConfiguration{}, awsErr(cloud.CodeNoSuchReplication, 404, "The replication configuration was not found")
		}
		return cloud.ReplicationConfiguration{Role: b.Replication.Role, Rules: append([]cloud.ReplicationRule(nil), b.Replication.Rules...)}, nil
	})
}

// checkReplication validates a replication configuration for source b.
func (w *world) checkReplication(b *bucket, cfg cloud.ReplicationConfiguration, now time.Time) error {
	if b.Versioning != cloud.VersioningEnabled {
		return awsErr(cloud.CodeInvalidRequest, 400, "Versioning must be 'Enabled' on the bucket to apply a replication configuration")
	}
	malformed := func(why string) error {
		return awsErr(cloud.CodeMalformedXML, 400, "The XML you provided was not well-formed or did not validate against our published schema (%s)", why)
	}
	if cfg.Role == "" {
		return malformed("missing Role")
	}
	if len(cfg.Rules) == 0 || len(cfg.Rules) > maxReplRules {
		return malformed("a replication configuration needs 1 to 1000 rules")
	}
	ids, prios := map[string]bool{}, map[int32]bool{}
	for _, r := range cfg.Rules {
		switch {
		case len(r.ID) > 255:
			return awsErr(cloud.CodeInvalidArgument, 400, "ID length should not exceed allowed limit of 255")
		case r.ID != "" && ids[r.ID]:
			return awsErr(cloud.CodeInvalidArgument, 400, "Rule Id must be unique")
		case prios[r.Priority]:
			return awsErr(cloud.CodeInvalidArgument, 400, "Found duplicate priority %d", r.Priority)
		case r.Status != "Enabled" && r.Status != "Disabled":
			return malformed("rule status " + strconv.Quote(r.Status))
		case r.StorageClass != "" && !slices.Contains(storageClasses, r.StorageClass):
			return malformed("storage class " + strconv.Quote(r.StorageClass))
		case r.ReplicationTime && !r.Metrics:
			return awsErr(cloud.CodeInvalidRequest, 400, "Replication Time Control must be used in conjunction with Metrics.")
		case r.SseKmsEncryptedObjects && r.ReplicaKmsKeyID == "":
			return awsErr(cloud.CodeInvalidRequest, 400, "ReplicaKmsKeyID must be specified if SseKmsEncryptedObjects tag is present.")
		}
		ids[r.ID], prios[r.Priority] = true, true
		a, err := cloud.ParseARN(r.DestinationBucket)
		if err != nil || a.Service != "s3" || a.Partition != w.st.Partition || a.Region != "" || a.Account != "" || strings.Contains(a.Resource, "/") {
			return awsErr(cloud.CodeInvalidArgument, 400, "Invalid Destination Bucket ARN %q", r.DestinationBucket)
		}
		if a.Resource == b.Name {
			return awsErr(cloud.CodeInvalidRequest, 400, "Destination bucket cannot be the same as the source bucket.")
		}
		if _, foreign := w.st.ForeignBuckets[a.Resource]; foreign {
			continue // another account's bucket: S3 cannot check it here
		}
		dst := w.st.Buckets[a.Resource]
		if dst == nil {
			return awsErr(cloud.CodeInvalidRequest, 400, "Destination bucket must exist.")
		}
		if dst.Versioning != cloud.VersioningEnabled {
			return awsErr(cloud.CodeInvalidRequest, 400, "Destination bucket must have versioning enabled.")
		}
	}
	r := w.roleByArn(cfg.Role)
	if r == nil || !w.propagated(r, principalCheck{propagated: true, now: now}) {
		return awsErr(cloud.CodeInvalidArgument, 400, "Invalid Role ARN %s", cfg.Role)
	}
	return nil
}

func (c s3Client) PutBucketReplication(ctx context.Context, name string, cfg cloud.ReplicationConfiguration) error {
	return c.bucketChange(ctx, "PutBucketReplication", name, func(b *bucket, now time.Time) error {
		if err := c.a.w.checkReplication(b, cfg, now); err != nil {
			return err
		}
		b.Replication = &cloud.ReplicationConfiguration{Role: cfg.Role, Rules: append([]cloud.ReplicationRule(nil), cfg.Rules...)}
		return nil
	})
}

func (c s3Client) DeleteBucketReplication(ctx context.Context, name string) error {
	return c.bucketChange(ctx, "DeleteBucketReplication", name, func(b *bucket, _ time.Time) error {
		b.Replication = nil
		return nil
	})
}
