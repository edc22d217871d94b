// Package awsapi is the only package that imports aws-sdk-go-v2 and
// smithy-go. It implements the narrow AWS surface of internal/cloud over the
// SDK: Load resolves credentials, region and endpoint like the AWS CLI does,
// and the per-service clients map plain cloud types to SDK types and every
// service error to a *cloud.Error.
//
// Each service client talks to the SDK through an unexported interface that
// lists only the calls hanavault makes, so unit tests can stub the SDK.
package awsapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Config selects credentials and endpoints.
type Config struct {
	Profile     string // --profile / AWS_PROFILE
	Region      string // --region; else the profile's region
	EndpointURL string // --endpoint-url / AWS_ENDPOINT_URL; forces path-style S3
	// Log receives the SDK's own log lines (retries, warnings such as
	// "falling back to IMDSv1"); nil discards them. They never go to the
	// terminal, where they would break the wizard's screen.
	Log io.Writer
}

// DefaultMaxAttempts is how often a call is tried (first attempt included)
// by the SDK's standard retryer unless AWS_MAX_ATTEMPTS or the profile's
// max_attempts says otherwise.
const DefaultMaxAttempts = 5

// globalRegion is where IAM and STS calls go when no region is configured.
// IAM is global; with a configured region the SDK still picks the right
// partition's global endpoint from it.
const globalRegion = "us-east-1"

// Account is an AWS account reached through the SDK. It implements
// cloud.Account. Regional clients are created on first use and cached; an
// Account is safe for concurrent use.
type Account struct {
	cfg      aws.Config // base SDK configuration (region = the resolved region)
	profile  string
	region   string
	override bool // an endpoint override is in use: path-style S3

	mu  sync.Mutex
	s3  map[string]*s3Client
	kms map[string]*kmsClient
	ec2 map[string]*ec2Client
	iam *iamClient
	sts *stsClient
}

var _ cloud.Account = (*Account)(nil)

// Load resolves credentials and region like the AWS CLI does: the named
// profile (else AWS_PROFILE, else "default"), the region from cfg.Region else
// the environment or profile (it may stay empty: see Region), and the
// endpoint from cfg.EndpointURL else AWS_ENDPOINT_URL or the profile's
// endpoint_url. Calls are retried by the SDK's standard retryer
// (DefaultMaxAttempts attempts, no client-side retry quota).
//
// Load does not call AWS; missing credentials surface on the first call as a
// *CredentialsError (see HasCredentials to check ahead).
func Load(ctx context.Context, cfg Config) (*Account, error) {
	return load(ctx, cfg)
}

// load is Load with extra SDK load options, which tests use to inject an
// HTTP client.
func load(ctx context.Context, cfg Config, extra ...func(*config.LoadOptions) error) (*Account, error) {
	sdkCfg, err := loadSDKConfig(ctx, cfg, extra...)
	if err != nil {
		return nil, err
	}
	profile := cfg.Profile
	if profile == "" {
		profile = os.Getenv("AWS_PROFILE") // what the SDK used, for hints
	}
	sdkCfg.Credentials = wrapCredentials(sdkCfg.Credentials, profile)
	override := sdkCfg.BaseEndpoint != nil && *sdkCfg.BaseEndpoint != ""
	if os.Getenv("AWS_ENDPOINT_URL_S3") != "" {
		override = true
	}
	return &Account{
		cfg:      sdkCfg,
		profile:  profile,
		region:   sdkCfg.Region,
		override: override,
		s3:       map[string]*s3Client{},
		kms:      map[string]*kmsClient{},
		ec2:      map[string]*ec2Client{},
	}, nil
}

// loadSDKConfig runs config.LoadDefaultConfig with hanavault's options.
func loadSDKConfig(ctx context.Context, cfg Config, extra ...func(*config.LoadOptions) error) (aws.Config, error) {
	var opts []func(*config.LoadOptions) error
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(cfg.EndpointURL))
	}
	if cfg.Log != nil {
		// Retries only: request logging would write session tokens.
		opts = append(opts, config.WithLogger(logging.NewStandardLogger(cfg.Log)), config.WithClientLogMode(aws.LogRetries))
	} else {
		opts = append(opts, config.WithLogger(logging.Nop{}))
	}
	opts = append(opts, extra...)
	sdkCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		if cfg.Profile != "" {
			return aws.Config{}, fmt.Errorf("load AWS configuration for profile %q: %w", cfg.Profile, err)
		}
		return aws.Config{}, fmt.Errorf("load AWS configuration: %w", err)
	}
	setRetryer(&sdkCfg)
	return sdkCfg, nil
}

// setRetryer installs the SDK's standard retryer with DefaultMaxAttempts
// (or AWS_MAX_ATTEMPTS / the profile's max_attempts) and without the
// client-side retry quota: a burst of throttled calls must not drain a quota
// and fail calls that would succeed on the next try. The adaptive mode, when
// asked for by AWS_RETRY_MODE or the profile, is left to the SDK.
func setRetryer(cfg *aws.Config) {
	if cfg.RetryMode == aws.RetryModeAdaptive {
		if cfg.RetryMaxAttempts == 0 {
			cfg.RetryMaxAttempts = DefaultMaxAttempts
		}
		return
	}
	attempts := cfg.RetryMaxAttempts
	if attempts == 0 {
		attempts = DefaultMaxAttempts
	}
	cfg.Retryer = func() aws.Retryer {
		return retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = attempts
			o.RateLimiter = ratelimit.None
		})
	}
}

// Region is the region the configuration resolved to ("" when none).
func (a *Account) Region() string { return a.region }

// Profile is the profile in use: Config.Profile, else AWS_PROFILE ("" for
// the default chain).
func (a *Account) Profile() string { return a.profile }

// globalRegion is the region IAM and STS clients use.
func (a *Account) globalRegion() string {
	if a.region != "" {
		return a.region
	}
	return globalRegion
}

// regionOrDefault maps "" to the account's resolved region.
func (a *Account) regionOrDefault(region string) string {
	if region == "" {
		return a.region
	}
	return region
}

// STS returns the STS client (configured region, else us-east-1).
func (a *Account) STS() cloud.STS {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.sts == nil {
		a.sts = &stsClient{api: sts.NewFromConfig(a.cfg, func(o *sts.Options) { o.Region = a.globalRegion() })}
	}
	return a.sts
}

// IAM returns the IAM client. IAM is global: the client signs for the
// configured region (else us-east-1) and the SDK resolves that partition's
// global endpoint; with an endpoint override it calls the override.
func (a *Account) IAM() cloud.IAM {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.iam == nil {
		a.iam = &iamClient{api: iam.NewFromConfig(a.cfg, func(o *iam.Options) { o.Region = a.globalRegion() })}
	}
	return a.iam
}

// regionalClient returns the client of region ("" means the resolved
// region) from cache, creating it with newClient on first use.
func regionalClient[C any](a *Account, cache map[string]C, region string, newClient func(region string) C) C {
	region = a.regionOrDefault(region)
	a.mu.Lock()
	defer a.mu.Unlock()
	c, ok := cache[region]
	if !ok {
		c = newClient(region)
		cache[region] = c
	}
	return c
}

// S3 returns the S3 client bound to region (signing for it and calling its
// endpoint). "" means the resolved region. With an endpoint override the
// client uses path-style addressing.
func (a *Account) S3(region string) cloud.S3 {
	return regionalClient(a, a.s3, region, func(region string) *s3Client {
		return &s3Client{region: region, api: s3.NewFromConfig(a.cfg, func(o *s3.Options) {
			o.Region = region
			o.UsePathStyle = a.override
			// Endpoints without response checksums (emulators, some proxies)
			// would otherwise log a warning on every GetObject.
			o.DisableLogOutputChecksumValidationSkipped = true
		})}
	})
}

// KMS returns the KMS client of region ("" means the resolved region).
func (a *Account) KMS(region string) cloud.KMS {
	return regionalClient(a, a.kms, region, func(region string) *kmsClient {
		return &kmsClient{region: region, api: kms.NewFromConfig(a.cfg, func(o *kms.Options) { o.Region = region })}
	})
}

// EC2 returns the EC2 client of region ("" means the resolved region).
func (a *Account) EC2(region string) cloud.EC2 {
	return regionalClient(a, a.ec2, region, func(region string) *ec2Client {
		return &ec2Client{region: region, describeRegions: ec2.NewFromConfig(a.cfg, func(o *ec2.Options) { o.Region = region }).DescribeRegions}
	})
}

// ---------------------------------------------------------------- credentials

// CredentialsError reports that no usable credentials could be retrieved
// (none configured, an expired SSO session, a failing credential_process...).
// Every call of an Account fails with one (wrapped) in that case.
type CredentialsError struct {
	Profile string // the profile in use (Config.Profile, else AWS_PROFILE), "" for the default chain
	Err     error
}

// Error names the profile and the provider's failure.
func (e *CredentialsError) Error() string {
	if e.Profile != "" {
		return fmt.Sprintf("no usable AWS credentials for profile %q: %v", e.Profile, e.Err)
	}
	return fmt.Sprintf("no usable AWS credentials: %v", e.Err)
}

// Unwrap returns the credential provider's error.
func (e *CredentialsError) Unwrap() error { return e.Err }

// credentialsProvider turns retrieval failures into *CredentialsError.
type credentialsProvider struct {
	inner   aws.CredentialsProvider
	profile string
}

// Retrieve returns the inner provider's credentials or a *CredentialsError.
func (p credentialsProvider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := p.inner.Retrieve(ctx)
	if err != nil {
		// A cancelled or expired context is the caller's doing, not a
		// credentials problem.
		if ctx.Err() != nil {
			return c, err
		}
		return c, &CredentialsError{Profile: p.profile, Err: err}
	}
	return c, nil
}

// wrapCredentials wraps p so retrieval errors are *CredentialsError, and
// caches the result (the SDK would otherwise wrap it in a second cache).
func wrapCredentials(p aws.CredentialsProvider, profile string) aws.CredentialsProvider {
	if p == nil {
		return nil
	}
	return aws.NewCredentialsCache(credentialsProvider{inner: p, profile: profile})
}

// imdsProbeTimeout bounds HasCredentials' look at the EC2 instance metadata
// service when nothing else is configured.
const imdsProbeTimeout = 2 * time.Second

// HasCredentials tells whether any credentials are configured for cfg,
// without calling an AWS API: static keys in the environment or the profile,
// a web identity, an SSO or login session, a credential_process, a role to
// assume, a container credentials endpoint. An expired SSO session still
// counts as configured (the first call then fails with a hint to log in).
// When none of these is set, it asks the EC2 instance metadata service for a
// role (bounded to 2 s; skipped when AWS_EC2_METADATA_DISABLED=true), since
// hanavault often runs on the HANA host itself.
//
// The error is non-nil only when the configuration cannot be loaded (for
// example a profile that does not exist).
func HasCredentials(ctx context.Context, cfg Config) (bool, error) {
	return hasCredentials(ctx, cfg)
}

func hasCredentials(ctx context.Context, cfg Config, extra ...func(*config.LoadOptions) error) (bool, error) {
	sdkCfg, err := loadSDKConfig(ctx, cfg, extra...)
	if err != nil {
		return false, err
	}
	imdsDisabled := false
	for _, src := range sdkCfg.ConfigSources {
		switch s := src.(type) {
		case config.EnvConfig:
			if s.Credentials.HasKeys() || s.WebIdentityTokenFilePath != "" ||
				s.ContainerCredentialsEndpoint != "" || s.ContainerCredentialsRelativePath != "" {
				return true, nil
			}
			imdsDisabled = s.EC2IMDSClientEnableState == imds.ClientDisabled
		case config.SharedConfig:
			if profileHasCredentials(s) {
				return true, nil
			}
		}
	}
	if imdsDisabled || sdkCfg.Credentials == nil {
		return false, nil
	}
	probe, cancel := context.WithTimeout(ctx, imdsProbeTimeout)
	defer cancel()
	if _, err := sdkCfg.Credentials.Retrieve(probe); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		return false, nil
	}
	return true, nil
}

// profileHasCredentials reports whether a shared-config profile names any
// credential source.
func profileHasCredentials(s config.SharedConfig) bool {
	return s.Credentials.HasKeys() || s.Source != nil || s.CredentialSource != "" ||
		s.WebIdentityTokenFile != "" || s.SSOSessionName != "" || s.SSOStartURL != "" ||
		s.LoginSession != "" || s.CredentialProcess != "" || s.RoleARN != ""
}

// ErrNoRegion is returned by callers (and recognised by Hint) when an
// operation needs a region and none is configured.
var ErrNoRegion = errors.New("no AWS region configured")
