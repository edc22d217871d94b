package memaws_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hanavault/hanavault/internal/cloud"
	"github.com/hanavault/hanavault/internal/memaws"
)

const (
	acct  = memaws.DefaultAccountID
	src   = "eu-central-1"
	dst   = "eu-west-1"
	start = "2025-06-02T08:00:00Z"
)

var ctx = context.Background()

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t *testing.T) *clock {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, start)
	if err != nil {
		t.Fatal(err)
	}
	return &clock{t: ts}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// newAccount returns a seeded account on a test clock.
func newAccount(t *testing.T, opts memaws.Options) (*memaws.Account, *clock) {
	t.Helper()
	clk := newClock(t)
	if opts.Now == nil {
		opts.Now = clk.Now
	}
	return memaws.New(opts), clk
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	if !cloud.IsCode(err, code) {
		t.Fatalf("error = %v, want code %s", err, code)
	}
}

func wantMessage(t *testing.T, err error, code, fragment string) {
	t.Helper()
	wantCode(t, err, code)
	if !strings.Contains(cloud.ErrorMessage(err), fragment) {
		t.Fatalf("message %q does not contain %q", cloud.ErrorMessage(err), fragment)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func roleArn(name string) string { return cloud.RoleARN("aws", acct, "/", name) }

func bucketArn(b string) string { return cloud.BucketARN("aws", b) }

// createBucket creates a bucket in region with the right constraint.
func createBucket(t *testing.T, a cloud.Account, region, name string) {
	t.Helper()
	lc := region
	if region == "us-east-1" {
		lc = ""
	}
	must(t, a.S3(region).CreateBucket(ctx, cloud.CreateBucketInput{Bucket: name, LocationConstraint: lc}))
}

// versionedBucket creates a bucket with versioning enabled.
func versionedBucket(t *testing.T, a cloud.Account, region, name string) {
	t.Helper()
	createBucket(t, a, region, name)
	must(t, a.S3(region).PutBucketVersioning(ctx, name, cloud.VersioningEnabled))
}
