package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/hanavault/hanavault/internal/cloud"
)

func TestLoadRegionResolution(t *testing.T) {
	cases := []struct {
		name    string
		env     string // AWS_REGION
		profile string // written as [profile p] region=...
		cfg     Config
		want    string
	}{
		{"flag wins over env and profile", "us-west-2", "eu-north-1", Config{Profile: "p", Region: "eu-west-1"}, "eu-west-1"},
		{"env", "eu-central-1", "", Config{}, "eu-central-1"},
		{"profile", "", "eu-north-1", Config{Profile: "p"}, "eu-north-1"},
		{"none", "", "", Config{}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfgFile, _ := isolateEnv(t)
			staticEnvCredentials(t)
			t.Setenv("AWS_REGION", c.env)
			if c.profile != "" {
				if err := os.WriteFile(cfgFile, []byte("[profile p]\nregion = "+c.profile+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			a, err := Load(context.Background(), c.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if a.Region() != c.want {
				t.Errorf("Region() = %q, want %q", a.Region(), c.want)
			}
		})
	}
}

func TestLoadUnknownProfile(t *testing.T) {
	isolateEnv(t)
	_, err := Load(context.Background(), Config{Profile: "nope"})
	if err == nil {
		t.Fatal("want an error for a missing profile")
	}
	if h := Hint(err); !strings.Contains(h, `"nope" does not exist`) {
		t.Errorf("hint = %q", h)
	}
	if !strings.Contains(err.Error(), `profile "nope"`) {
		t.Errorf("error %q does not name the profile", err)
	}
}

// call makes one cheap call through the given client kind and returns the
// request the SDK sent.
func call(t *testing.T, a *Account, ft *fakeTransport, kind, region string) recordedRequest {
	t.Helper()
	ctx := context.Background()
	var err error
	switch kind {
	case "s3":
		_, err = a.S3(region).HeadBucket(ctx, "bkt")
	case "kms":
		_, err = a.KMS(region).ListKeys(ctx, "")
	case "ec2":
		_, err = a.EC2(region).DescribeRegions(ctx, false)
	case "iam":
		_, err = a.IAM().ListRoles(ctx, cloud.ListRolesInput{})
	case "sts":
		_, err = a.STS().GetCallerIdentity(ctx)
	}
	// The canned empty 200 answers may not deserialise for every protocol;
	// only the request matters here.
	_ = err
	return ft.last(t)
}

func TestRegionalClientsCallAndSignForTheirRegion(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	ft := &fakeTransport{}
	a := fakeAccount(t, Config{Region: "eu-central-1"}, ft)
	noRegion := fakeAccount(t, Config{}, ft)

	cases := []struct {
		name     string
		acct     *Account
		kind     string
		region   string
		wantHost string
		wantSign string
	}{
		{"s3 eu-west-1, virtual-hosted", a, "s3", "eu-west-1", "bkt.s3.eu-west-1.amazonaws.com", "eu-west-1"},
		{"s3 us-east-1", a, "s3", "us-east-1", "bkt.s3.us-east-1.amazonaws.com", "us-east-1"},
		{"s3 default region", a, "s3", "", "bkt.s3.eu-central-1.amazonaws.com", "eu-central-1"},
		{"kms", a, "kms", "eu-west-1", "kms.eu-west-1.amazonaws.com", "eu-west-1"},
		{"ec2", a, "ec2", "us-east-1", "ec2.us-east-1.amazonaws.com", "us-east-1"},
		{"iam is global", a, "iam", "", "iam.amazonaws.com", "us-east-1"},
		{"sts regional", a, "sts", "", "sts.eu-central-1.amazonaws.com", "eu-central-1"},
		{"iam without region", noRegion, "iam", "", "iam.amazonaws.com", "us-east-1"},
		{"sts without region", noRegion, "sts", "", "sts.us-east-1.amazonaws.com", "us-east-1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, c.acct, ft, c.kind, c.region)
			if r.Host != c.wantHost || r.signingRegion() != c.wantSign {
				t.Errorf("sent to %s signed for %q, want %s signed for %q", r.Host, r.signingRegion(), c.wantHost, c.wantSign)
			}
		})
	}
}

func TestEndpointOverride(t *testing.T) {
	for _, viaEnv := range []bool{false, true} {
		t.Run(fmt.Sprintf("env=%v", viaEnv), func(t *testing.T) {
			isolateEnv(t)
			staticEnvCredentials(t)
			const endpoint = "http://127.0.0.1:4566"
			cfg := Config{Region: "eu-central-1"}
			if viaEnv {
				t.Setenv("AWS_ENDPOINT_URL", endpoint)
			} else {
				cfg.EndpointURL = endpoint
			}
			ft := &fakeTransport{}
			a := fakeAccount(t, cfg, ft)
			for _, c := range []struct{ kind, region, wantPath, wantSign string }{
				{"s3", "eu-west-1", "/bkt", "eu-west-1"}, // path-style, still signed for the bucket's region
				{"s3", "us-east-1", "/bkt", "us-east-1"},
				{"kms", "eu-west-1", "/", "eu-west-1"},
				{"iam", "", "/", "eu-central-1"},
				{"sts", "", "/", "eu-central-1"},
			} {
				r := call(t, a, ft, c.kind, c.region)
				if r.Host != "127.0.0.1:4566" || r.Path != c.wantPath || r.signingRegion() != c.wantSign {
					t.Errorf("%s(%s): sent to %s%s signed for %q, want 127.0.0.1:4566%s signed for %q",
						c.kind, c.region, r.Host, r.Path, r.signingRegion(), c.wantPath, c.wantSign)
				}
			}
		})
	}
}

func TestS3OnlyEndpointOverrideIsPathStyle(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")
	ft := &fakeTransport{}
	a := fakeAccount(t, Config{Region: "eu-central-1"}, ft)
	if r := call(t, a, ft, "s3", "eu-west-1"); r.Host != "127.0.0.1:9000" || r.Path != "/bkt" || r.signingRegion() != "eu-west-1" {
		t.Errorf("S3 sent to %s%s signed for %q", r.Host, r.Path, r.signingRegion())
	}
	if r := call(t, a, ft, "kms", "eu-west-1"); r.Host != "kms.eu-west-1.amazonaws.com" {
		t.Errorf("KMS followed the S3-only override: %s", r.Host)
	}
}

func TestClientsAreCachedPerRegion(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	a := fakeAccount(t, Config{Region: "eu-central-1"}, &fakeTransport{})
	var wg sync.WaitGroup
	got := make([]cloud.S3, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i] = a.S3("eu-west-1")
			a.KMS("eu-west-1")
			a.EC2("eu-west-1")
			a.IAM()
			a.STS()
		}()
	}
	wg.Wait()
	for _, c := range got[1:] {
		if c != got[0] {
			t.Fatal("S3(eu-west-1) returned different clients")
		}
	}
	if a.S3("eu-west-1") == a.S3("us-east-1") || a.KMS("eu-west-1") == a.KMS("us-east-1") {
		t.Error("different regions share a client")
	}
	if a.S3("") != a.S3("eu-central-1") || a.KMS("") != a.KMS("eu-central-1") || a.EC2("") != a.EC2("eu-central-1") {
		t.Error(`"" is not the account's region`)
	}
	if a.IAM() != a.IAM() || a.STS() != a.STS() {
		t.Error("global clients are not cached")
	}
}

func TestRetryConfiguration(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "")
	a := fakeAccount(t, Config{Region: "eu-central-1"}, &fakeTransport{})
	if got := a.cfg.Retryer().MaxAttempts(); got != DefaultMaxAttempts {
		t.Errorf("max attempts = %d, want %d", got, DefaultMaxAttempts)
	}
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	a = fakeAccount(t, Config{Region: "eu-central-1"}, &fakeTransport{})
	if got := a.cfg.Retryer().MaxAttempts(); got != 2 {
		t.Errorf("AWS_MAX_ATTEMPTS=2 not honoured: %d", got)
	}
}

func TestRetriesRetryableFailures(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	t.Setenv("AWS_MAX_ATTEMPTS", "3")
	ft := &fakeTransport{respond: func(*http.Request) (int, http.Header, string) {
		return 500, http.Header{"Content-Type": {"application/x-amz-json-1.1"}}, `{"__type":"KMSInternalException","message":"boom"}`
	}}
	a := fakeAccount(t, Config{Region: "eu-central-1"}, ft)
	// No backoff: this test counts attempts, it does not wait for them.
	retryer := a.cfg.Retryer
	a.cfg.Retryer = func() aws.Retryer { return zeroBackoff{retryer()} }
	_, err := a.KMS("").ListKeys(context.Background(), "")
	if cloud.ErrorCode(err) != "KMSInternalException" {
		t.Fatalf("err = %v", err)
	}
	if n := len(ft.requests); n != 3 {
		t.Errorf("%d attempts, want 3", n)
	}
}

// zeroBackoff is a retryer that does not wait between attempts.
type zeroBackoff struct{ aws.Retryer }

func (zeroBackoff) RetryDelay(int, error) (time.Duration, error) { return 0, nil }

func TestWireRequestFormats(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	ft := &fakeTransport{}
	a := fakeAccount(t, Config{Region: "eu-central-1", EndpointURL: "http://127.0.0.1:4566"}, ft)
	ctx := context.Background()

	t.Run("CreateBucket without constraint sends no body", func(t *testing.T) {
		if err := a.S3("us-east-1").CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "b"}); err != nil {
			t.Fatal(err)
		}
		if r := ft.last(t); r.Method != http.MethodPut || r.Path != "/b" || strings.Contains(r.Body, "CreateBucketConfiguration") {
			t.Errorf("%s %s body %q", r.Method, r.Path, r.Body)
		}
	})
	t.Run("CreateBucket with constraint", func(t *testing.T) {
		if err := a.S3("eu-west-1").CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "b", LocationConstraint: "eu-west-1", ObjectOwnership: "BucketOwnerEnforced"}); err != nil {
			t.Fatal(err)
		}
		r := ft.last(t)
		if !strings.Contains(r.Body, "<LocationConstraint>eu-west-1</LocationConstraint>") || r.Header.Get("X-Amz-Object-Ownership") != "BucketOwnerEnforced" {
			t.Errorf("body %q ownership %q", r.Body, r.Header.Get("X-Amz-Object-Ownership"))
		}
	})
	t.Run("lifecycle sends an empty Filter, never a top-level Prefix", func(t *testing.T) {
		err := a.S3("eu-central-1").PutBucketLifecycleConfiguration(ctx, "b", cloud.LifecycleConfiguration{
			TransitionDefaultMinimumObjectSize: "varies_by_storage_class",
			Rules: []cloud.LifecycleRule{
				{ID: "all", Status: "Enabled", Transitions: []cloud.Transition{{Days: 7, StorageClass: "GLACIER"}}, ExpirationDays: 372},
				{ID: "markers", Status: "Enabled", ExpiredObjectDeleteMarker: true},
			}})
		if err != nil {
			t.Fatal(err)
		}
		r := ft.last(t)
		for _, want := range []string{
			"<Filter></Filter>", "<Days>372</Days>", "<ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker>",
			"<StorageClass>GLACIER</StorageClass>",
		} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("body lacks %s: %s", want, r.Body)
			}
		}
		if strings.Contains(r.Body, "<Prefix") {
			t.Errorf("body has a Prefix: %s", r.Body)
		}
		if got := r.Header.Get("X-Amz-Transition-Default-Minimum-Object-Size"); got != "varies_by_storage_class" {
			t.Errorf("minimum object size header = %q", got)
		}
	})
	t.Run("replication V2 rule", func(t *testing.T) {
		err := a.S3("eu-central-1").PutBucketReplication(ctx, "src", cloud.ReplicationConfiguration{Role: "arn:aws:iam::1:role/r", Rules: []cloud.ReplicationRule{hanavaultRule}})
		if err != nil {
			t.Fatal(err)
		}
		r := ft.last(t)
		for _, want := range []string{
			"<Role>arn:aws:iam::1:role/r</Role>", "<Priority>1</Priority>", "<Filter></Filter>",
			"<DeleteMarkerReplication><Status>Enabled</Status></DeleteMarkerReplication>",
			"<SseKmsEncryptedObjects><Status>Enabled</Status></SseKmsEncryptedObjects>",
			"<ReplicaKmsKeyID>arn:aws:kms:eu-west-1:111122223333:key/k</ReplicaKmsKeyID>",
			"<ReplicationTime><Status>Enabled</Status><Time><Minutes>15</Minutes></Time></ReplicationTime>",
			"<Metrics><EventThreshold><Minutes>15</Minutes></EventThreshold><Status>Enabled</Status></Metrics>",
		} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("body lacks %s:\n%s", want, r.Body)
			}
		}
	})
	t.Run("logging with partitioned prefix", func(t *testing.T) {
		err := a.S3("eu-central-1").PutBucketLogging(ctx, "src", &cloud.LoggingEnabled{TargetBucket: "logs", TargetPrefix: "p/", PartitionedPrefix: true})
		if err != nil {
			t.Fatal(err)
		}
		if r := ft.last(t); !strings.Contains(r.Body, "<TargetObjectKeyFormat><PartitionedPrefix><PartitionDateSource>EventTime</PartitionDateSource></PartitionedPrefix></TargetObjectKeyFormat>") {
			t.Errorf("body: %s", r.Body)
		}
	})
	t.Run("DeleteObjects not quiet", func(t *testing.T) {
		_, _ = a.S3("eu-central-1").DeleteObjects(ctx, "b", []cloud.ObjectIdentifier{{Key: "k", VersionID: "v"}})
		if r := ft.last(t); !strings.Contains(r.Body, "<Quiet>false</Quiet>") || !strings.Contains(r.Body, "<VersionId>v</VersionId>") {
			t.Errorf("body: %s", r.Body)
		}
	})
}

func TestWireErrorMapping(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	ft := &fakeTransport{respond: func(r *http.Request) (int, http.Header, string) {
		switch {
		case r.Method == http.MethodHead && strings.HasPrefix(r.URL.Path, "/missing"):
			return 404, nil, ""
		case r.Method == http.MethodHead:
			return 403, nil, ""
		case r.Method == http.MethodPut:
			return 409, http.Header{"Content-Type": {"application/xml"}}, `<?xml version="1.0" encoding="UTF-8"?>` +
				`<Error><Code>BucketAlreadyOwnedByYou</Code><Message>Your previous request succeeded</Message><BucketName>b</BucketName></Error>`
		default: // KMS JSON protocol
			return 400, http.Header{"Content-Type": {"application/x-amz-json-1.1"}},
				`{"__type":"NotFoundException","message":"Alias arn:aws:kms:eu-west-1:1:alias/x is not found."}`
		}
	}}
	a := fakeAccount(t, Config{Region: "eu-central-1", EndpointURL: "http://127.0.0.1:4566"}, ft)
	ctx := context.Background()

	_, err := a.S3("eu-central-1").HeadBucket(ctx, "missing")
	assertCloudError(t, err, cloud.Error{Service: "s3", Op: "HeadBucket", Code: "NotFound", HTTPStatus: 404, Resource: "missing"})
	_, err = a.S3("eu-central-1").HeadBucket(ctx, "theirs")
	assertCloudError(t, err, cloud.Error{Service: "s3", Op: "HeadBucket", Code: "Forbidden", Message: "Forbidden", HTTPStatus: 403, Resource: "theirs"})
	err = a.S3("eu-central-1").CreateBucket(ctx, cloud.CreateBucketInput{Bucket: "b", LocationConstraint: "eu-central-1"})
	assertCloudError(t, err, cloud.Error{Service: "s3", Op: "CreateBucket", Code: "BucketAlreadyOwnedByYou", Message: "Your previous request succeeded", HTTPStatus: 409, Resource: "b"})
	_, err = a.KMS("eu-west-1").DescribeKey(ctx, "alias/x")
	assertCloudError(t, err, cloud.Error{Service: "kms", Op: "DescribeKey", Code: "NotFoundException", Message: "Alias arn:aws:kms:eu-west-1:1:alias/x is not found.", HTTPStatus: 400, Resource: "alias/x"})
}

func assertCloudError(t *testing.T, err error, want cloud.Error) {
	t.Helper()
	var ce *cloud.Error
	if !errors.As(err, &ce) {
		t.Fatalf("want *cloud.Error, got %T %v", err, err)
	}
	if *ce != want {
		t.Errorf("got  %+v\nwant %+v", *ce, want)
	}
}

func TestCancelledContextIsNotAServiceError(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	a := fakeAccount(t, Config{Region: "eu-central-1"}, &fakeTransport{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := a.S3("eu-central-1").HeadBucket(ctx, "b")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled in the chain", err)
	}
	var credErr *CredentialsError
	if errors.As(err, &credErr) || cloud.ErrorCode(err) != "" {
		t.Errorf("a cancelled call was reported as %T %v", err, err)
	}
}

func TestNoCredentials(t *testing.T) {
	isolateEnv(t) // no keys, IMDS disabled
	ft := &fakeTransport{}
	a := fakeAccount(t, Config{Region: "eu-central-1"}, ft)
	_, err := a.STS().GetCallerIdentity(context.Background())
	var credErr *CredentialsError
	if !errors.As(err, &credErr) {
		t.Fatalf("want *CredentialsError, got %T %v", err, err)
	}
	if len(ft.requests) != 0 {
		t.Errorf("a request was sent without credentials: %+v", ft.requests)
	}
	if h := Hint(err); !strings.Contains(h, "No AWS credentials found") {
		t.Errorf("hint = %q", h)
	}

	ok, err := HasCredentials(context.Background(), Config{})
	if err != nil || ok {
		t.Errorf("HasCredentials = %v, %v; want false, nil", ok, err)
	}
}

func TestNoCredentialsNamedProfile(t *testing.T) {
	cfgFile, _ := isolateEnv(t)
	// A profile with only a region: no credential source at all.
	if err := os.WriteFile(cfgFile, []byte("[profile bare]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := fakeAccount(t, Config{Profile: "bare"}, &fakeTransport{})
	_, err := a.S3("").ListBuckets(context.Background())
	var credErr *CredentialsError
	if !errors.As(err, &credErr) || credErr.Profile != "bare" {
		t.Fatalf("want *CredentialsError for profile bare, got %T %v", err, err)
	}
	if h := Hint(err); !strings.Contains(h, `profile "bare"`) || !strings.Contains(h, "aws sso login --profile bare") {
		t.Errorf("hint = %q", h)
	}
}

func TestNoRegionHint(t *testing.T) {
	isolateEnv(t)
	staticEnvCredentials(t)
	ft := &fakeTransport{}
	a := fakeAccount(t, Config{}, ft)
	ctx := context.Background()
	_, s3Err := a.S3("").HeadBucket(ctx, "b")
	_, kmsErr := a.KMS("").ListKeys(ctx, "")
	_, ec2Err := a.EC2("").DescribeRegions(ctx, false)
	for _, err := range []error{s3Err, kmsErr, ec2Err} {
		if h := Hint(err); !strings.Contains(h, "pass --region") {
			t.Errorf("Hint(%v) = %q", err, h)
		}
	}
	if len(ft.requests) != 0 {
		t.Errorf("requests sent without a region: %+v", ft.requests)
	}
}

func TestProfileFromEnvironmentNamedInHints(t *testing.T) {
	cfgFile, _ := isolateEnv(t)
	if err := os.WriteFile(cfgFile, []byte("[profile envprof]\nregion = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_PROFILE", "envprof")
	a := fakeAccount(t, Config{}, &fakeTransport{})
	if a.Profile() != "envprof" || a.Region() != "eu-west-1" {
		t.Errorf("profile %q region %q", a.Profile(), a.Region())
	}
	_, err := a.STS().GetCallerIdentity(context.Background())
	if h := Hint(err); !strings.Contains(h, "aws sso login --profile envprof") {
		t.Errorf("hint = %q", h)
	}
}

func TestHasCredentials(t *testing.T) {
	cases := []struct {
		name        string
		env         map[string]string
		config      string
		credentials string
		profile     string
		want        bool
	}{
		{name: "env keys", env: map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "s"}, want: true},
		{name: "web identity env", env: map[string]string{"AWS_WEB_IDENTITY_TOKEN_FILE": "/tmp/token", "AWS_ROLE_ARN": "arn:aws:iam::1:role/r"}, want: true},
		{name: "container credentials", env: map[string]string{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "/v2/credentials/x"}, want: true},
		{name: "default profile keys", credentials: "[default]\naws_access_key_id = AKID\naws_secret_access_key = s\n", want: true},
		{name: "named profile keys", credentials: "[prod]\naws_access_key_id = AKID\naws_secret_access_key = s\n", config: "[profile prod]\nregion = eu-west-1\n", profile: "prod", want: true},
		{name: "sso session profile (even when expired)", profile: "sso",
			config: "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Admin\nregion = eu-west-1\n" +
				"[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n", want: true},
		{name: "credential_process", profile: "proc", config: "[profile proc]\ncredential_process = /bin/false\n", want: true},
		{name: "assume role profile", profile: "role", config: "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = base\n[profile base]\nregion = eu-west-1\n",
			credentials: "[base]\naws_access_key_id = AKID\naws_secret_access_key = s\n", want: true},
		{name: "profile with only a region", profile: "bare", config: "[profile bare]\nregion = eu-west-1\n", want: false},
		{name: "nothing", want: false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfgFile, credFile := isolateEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			if err := os.WriteFile(cfgFile, []byte(c.config), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(credFile, []byte(c.credentials), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := HasCredentials(context.Background(), Config{Profile: c.profile})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("HasCredentials = %v, want %v", got, c.want)
			}
		})
	}

	t.Run("missing profile is an error", func(t *testing.T) {
		isolateEnv(t)
		if _, err := HasCredentials(context.Background(), Config{Profile: "nope"}); err == nil {
			t.Error("want an error")
		}
	})
}

// fakeIMDS serves the instance metadata calls of the SDK's EC2 role
// provider; withRole=false answers like an instance without a role.
func fakeIMDS(t *testing.T, withRole bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPut && r.URL.Path == "/latest/api/token":
			w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
			fmt.Fprint(w, "token")
		case !withRole:
			http.NotFound(w, r)
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/":
			fmt.Fprint(w, "hana-backup")
		case r.URL.Path == "/latest/meta-data/iam/security-credentials/hana-backup":
			fmt.Fprintf(w, `{"Code":"Success","Type":"AWS-HMAC","AccessKeyId":"ASIA","SecretAccessKey":"s","Token":"t","Expiration":%q}`,
				time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestHasCredentialsInstanceRole(t *testing.T) {
	for _, withRole := range []bool{true, false} {
		t.Run(fmt.Sprintf("role=%v", withRole), func(t *testing.T) {
			isolateEnv(t)
			srv := fakeIMDS(t, withRole)
			t.Setenv("AWS_EC2_METADATA_DISABLED", "false")
			t.Setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", srv.URL)
			got, err := hasCredentials(context.Background(), Config{}, config.WithEC2IMDSEndpoint(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			if got != withRole {
				t.Errorf("HasCredentials = %v, want %v", got, withRole)
			}
		})
	}
}
