package verify

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/policy"
)

// canaryBody is the content of a canary: a marker line and random bytes,
// so the replica's bytes prove a copy of this run's object.
func canaryBody(run, kind string) []byte {
	nonce := make([]byte, 32)
	_, _ = rand.Read(nonce)
	return []byte(fmt.Sprintf("hanavault verify canary\nrun: %s\nupload: %s\nnonce: %s\n", run, kind, hex.EncodeToString(nonce)))
}

// written is a canary with the bytes it holds.
type written struct {
	Canary
	body []byte
	at   time.Time
}

// uploads writes the canaries the way the AWS Backint Agent does (SSE-KMS
// naming the landscape key, single and multipart) and one without any
// encryption header, and checks that each is stored as aws:kms with the
// landscape key.
func (v *verifier) uploads(ctx context.Context) []written {
	src := v.in.Source
	s3 := v.o.Account.S3(src.Region)
	var out []written
	if err := v.record(); err != nil {
		v.add(Check{ID: "journal", Title: "Canaries recorded in the journal", Result: Fail, Detail: err.Error(),
			Cause: "the landscape's state directory is not writable"})
		return nil
	}
	type upload struct {
		id, title, kind string
		put             func(key string, body []byte) (cloud.ObjectInfo, error)
	}
	single := func(key string, body []byte) (cloud.ObjectInfo, error) {
		return s3.PutObject(ctx, cloud.PutObjectInput{Bucket: src.Bucket, Key: key, Body: body,
			ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: src.KeyARN})
	}
	multipart := func(key string, body []byte) (cloud.ObjectInfo, error) {
		id, err := s3.CreateMultipartUpload(ctx, cloud.CreateMultipartUploadInput{Bucket: src.Bucket, Key: key,
			ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: src.KeyARN})
		if err != nil {
			return cloud.ObjectInfo{}, fmt.Errorf("CreateMultipartUpload: %w", err)
		}
		etag, err := s3.UploadPart(ctx, cloud.UploadPartInput{Bucket: src.Bucket, Key: key, UploadID: id, PartNumber: 1, Body: body})
		if err != nil {
			return cloud.ObjectInfo{}, fmt.Errorf("UploadPart (no encryption headers): %w", err)
		}
		info, err := s3.CompleteMultipartUpload(ctx, cloud.CompleteMultipartUploadInput{Bucket: src.Bucket, Key: key, UploadID: id,
			Parts: []cloud.CompletedPart{{PartNumber: 1, ETag: etag}}})
		if err != nil {
			return cloud.ObjectInfo{}, fmt.Errorf("CompleteMultipartUpload: %w", err)
		}
		return info, nil
	}
	plain := func(key string, body []byte) (cloud.ObjectInfo, error) {
		return s3.PutObject(ctx, cloud.PutObjectInput{Bucket: src.Bucket, Key: key, Body: body})
	}
	for _, u := range []upload{
		{"upload/single", "A Backint-style upload (SSE-KMS with the landscape key) is stored encrypted with the landscape key", "single", single},
		{"upload/multipart", "A multipart upload (encryption headers on CreateMultipartUpload, none on the parts) is stored encrypted with the landscape key", "multipart", multipart},
		{"guard/no-header", "An upload without encryption headers is stored as aws:kms with the landscape key (bucket default)", "no-header", plain},
	} {
		if ctx.Err() != nil {
			return out
		}
		key := v.prefix() + v.run + "/" + u.kind
		v.start(u.id, src.Region, u.title)
		body := canaryBody(v.run, u.kind)
		info, err := u.put(key, body)
		c := Check{ID: u.id, Title: u.title, Region: src.Region, Resource: cloud.BucketARN(v.part, src.Bucket) + "/" + key}
		switch {
		case err != nil && interrupted(ctx, err):
			return out
		case err != nil:
			c.Result, c.Detail = Fail, err.Error()
			c.Cause = uploadCause(err)
		default:
			w := written{Canary: Canary{Key: key, VersionID: info.VersionID, Upload: u.kind}, body: body, at: v.o.Now()}
			out = append(out, w)
			v.rep.Canaries = append(v.rep.Canaries, w.Canary)
			c.Result, c.Detail, c.Cause = storedWith(info, src.KeyARN)
		}
		v.add(c)
	}
	return out
}

// storedWith judges the encryption S3 reports for a stored canary.
func storedWith(info cloud.ObjectInfo, keyARN string) (Result, string, string) {
	got := fmt.Sprintf("version %s stored with %s", info.VersionID, orNone(info.ServerSideEncryption))
	if info.SSEKMSKeyID != "" {
		got += " key " + info.SSEKMSKeyID
	}
	if info.BucketKeyEnabled {
		got += " (bucket key)"
	}
	switch {
	case info.ServerSideEncryption != cloud.SSEKMS:
		return Fail, got, "the bucket's default encryption is not SSE-KMS: run apply to restore it"
	case info.SSEKMSKeyID != keyARN:
		return Fail, got + ", want " + keyARN, "the bucket's default encryption names another key: run apply to restore it"
	}
	return Pass, got, ""
}

func uploadCause(err error) string {
	switch {
	case cloud.IsCode(err, cloud.CodeAccessDenied):
		return "the bucket policy or the caller's permissions refuse the upload; run hanavault status for drift"
	case cloud.IsCode(err, cloud.CodeAccessDeniedException, cloud.CodeKMSInvalidStateException, cloud.CodeDisabledException):
		return "S3 could not use the landscape key: the key is disabled, pending deletion, or its policy refuses the caller"
	}
	return "S3 refused the upload"
}

func orNone(s string) string {
	if s == "" {
		return "no encryption"
	}
	return s
}

// guardRails sends the uploads the bucket policy must refuse and checks
// each is denied. An upload S3 accepts is recorded as a canary (and
// removed with the others).
func (v *verifier) guardRails(ctx context.Context) {
	src := v.in.Source
	s3 := v.o.Account.S3(src.Region)
	otherKey := v.in.Replica.KeyARN // a real key, but not this bucket's
	for _, g := range []struct {
		id, title, sid string
		in             cloud.PutObjectInput
	}{
		{"guard/aes256", "An upload asking for SSE-S3 (AES256) is denied", policy.SidDenyNonKMSEncryptionHeader,
			cloud.PutObjectInput{ServerSideEncryption: cloud.SSEAES256}},
		{"guard/sse-c", "An upload with a customer-provided key (SSE-C) is denied", policy.SidDenySSEC,
			cloud.PutObjectInput{SSECustomerAlgorithm: cloud.SSEAES256}},
		{"guard/kms-without-key", "An upload asking for aws:kms without a key ID (the AWS managed key) is denied", policy.SidDenyKMSWithoutKeyID,
			cloud.PutObjectInput{ServerSideEncryption: cloud.SSEKMS}},
		{"guard/other-key", "An upload naming another KMS key is denied", policy.SidDenyOtherKMSKey,
			cloud.PutObjectInput{ServerSideEncryption: cloud.SSEKMS, SSEKMSKeyID: otherKey}},
	} {
		if ctx.Err() != nil {
			return
		}
		kind := g.id[len("guard/"):]
		key := v.prefix() + v.run + "/" + kind
		in := g.in
		in.Bucket, in.Key, in.Body = src.Bucket, key, canaryBody(v.run, kind)
		v.start(g.id, src.Region, g.title)
		info, err := s3.PutObject(ctx, in)
		c := Check{ID: g.id, Title: g.title, Region: src.Region, Resource: cloud.BucketARN(v.part, src.Bucket) + "/" + key}
		switch {
		case err != nil && interrupted(ctx, err):
			return
		case cloud.IsCode(err, cloud.CodeAccessDenied):
			c.Result, c.Detail = Pass, "denied: "+cloud.ErrorMessage(err)
		case err != nil:
			c.Result = Fail
			c.Detail = "S3 refused it, but not with AccessDenied from the bucket policy: " + err.Error()
			c.Cause = "the bucket policy lacks statement " + g.sid + ": run apply to restore it"
		default:
			c.Result = Fail
			c.Detail = fmt.Sprintf("accepted: version %s stored with %s %s", info.VersionID, orNone(info.ServerSideEncryption), info.SSEKMSKeyID)
			c.Cause = "the bucket policy lacks statement " + g.sid + " (changed outside hanavault): run apply to restore it"
			v.rep.Canaries = append(v.rep.Canaries, Canary{Key: key, VersionID: info.VersionID, Upload: kind})
		}
		v.add(c)
	}
}

// sameBytes compares a replica's body with the canary's.
func sameBytes(a, b []byte) bool { return bytes.Equal(a, b) }
