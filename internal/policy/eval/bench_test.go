package eval

import (
	"fmt"
	"sync"
	"testing"
)

const benchBucketPolicy = `{"Version":"2012-10-17","Statement":[
 {"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},
 {"Sid":"DenyNonKMSEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"s3:x-amz-server-side-encryption":"false"},"StringNotEquals":{"s3:x-amz-server-side-encryption":"aws:kms"}}},
 {"Sid":"DenySSEC","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"s3:x-amz-server-side-encryption-customer-algorithm":"false"}}},
 {"Sid":"DenyOtherKMSKey","Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"Null":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"false"},"StringNotEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:eu-central-1:111122223333:key/k"}}},
 {"Sid":"AllowBackintRoleObjects","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/backup"},"Action":["s3:PutObject","s3:GetObject","s3:GetObjectVersion","s3:DeleteObject","s3:PutObjectTagging","s3:GetObjectTagging","s3:AbortMultipartUpload","s3:ListMultipartUploadParts"],"Resource":"arn:aws:s3:::b/*"},
 {"Sid":"AllowBackintRoleBucket","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/backup"},"Action":["s3:ListBucket","s3:ListBucketVersions","s3:GetBucketLocation","s3:ListBucketMultipartUploads"],"Resource":"arn:aws:s3:::b"}]}`

var benchReq = Request{Principal: Principal{AWS: "arn:aws:iam::111122223333:role/backup"}, Action: "s3:PutObject",
	Resource: "arn:aws:s3:::b/PRD/data/x", Context: map[string][]string{"aws:SecureTransport": {"true"},
		"s3:x-amz-server-side-encryption": {"aws:kms"}, "s3:x-amz-server-side-encryption-aws-kms-key-id": {"arn:aws:kms:eu-central-1:111122223333:key/k"}}}

// BenchmarkCompile measures parsing and compiling a bucket policy, the cost
// the cache saves.
func BenchmarkCompile(b *testing.B) {
	for b.Loop() {
		if _, err := Compile(benchBucketPolicy, false); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAuthorize measures the path memaws takes per request: look the
// policy text up in the cache, then evaluate.
func BenchmarkAuthorize(b *testing.B) {
	for b.Loop() {
		if d, err := Authorize(benchReq, nil, benchBucketPolicy); err != nil || d != Allow {
			b.Fatal(d, err)
		}
	}
}

// BenchmarkCompiledEvaluate measures evaluation of an already compiled policy.
func BenchmarkCompiledEvaluate(b *testing.B) {
	p, err := Compile(benchBucketPolicy, false)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if r := p.Evaluate(benchReq); r.Decision != Allow {
			b.Fatal(r)
		}
	}
}

func TestCompileCache(t *testing.T) {
	a, err := compileCached(benchBucketPolicy, false)
	if err != nil {
		t.Fatal(err)
	}
	b, err := compileCached(benchBucketPolicy, false)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("the same text compiled twice")
	}
	// The identity flag is part of the key: the same text as an identity
	// policy is invalid (it has principals).
	if _, err := compileCached(benchBucketPolicy, true); err == nil {
		t.Fatal("bucket policy accepted as identity policy from the cache")
	}
	for i := range 3 * cacheLimit {
		text := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S%d","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, i)
		if _, err := compileCached(text, true); err != nil {
			t.Fatal(err)
		}
		compiled.Lock()
		n := len(compiled.m)
		compiled.Unlock()
		if n > cacheLimit {
			t.Fatalf("cache holds %d policies, limit %d", n, cacheLimit)
		}
	}
}

// TestConcurrentAuthorize runs evaluations from many goroutines (the engine
// and memaws do); -race checks the cache.
func TestConcurrentAuthorize(t *testing.T) {
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				text := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S%d","Effect":"Allow","Action":"s3:PutObject","Resource":"*"}]}`, (g*50+i)%200)
				d, err := Authorize(benchReq, []string{text}, benchBucketPolicy)
				if err == nil && d != Allow {
					err = fmt.Errorf("decision %s", d)
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
