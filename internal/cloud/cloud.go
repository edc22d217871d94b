// Package cloud declares the narrow AWS surface hanavault uses, in plain Go
// types shaped like the aws-sdk-go-v2 calls they stand for.
//
// Two packages implement it: internal/awsapi (the only importer of the SDK)
// and internal/memaws (the in-memory account behind tests and --sandbox).
// Everything else (engine, discovery, UI) depends on these interfaces only.
//
// Conventions:
//   - A client returned by S3(region), KMS(region) or EC2(region) talks to
//     that region's endpoint, exactly like an SDK client configured with that
//     region. IAM and STS are global.
//   - Errors from the service are *Error values carrying the AWS error code;
//     test them with IsCode. Transport and context errors pass through.
//   - List calls are paged as in the SDK (markers in, markers out); callers
//     loop. Nothing is hidden behind automatic pagination, so the in-memory
//     account can prove that callers page correctly.
//   - IAM policy documents come back exactly as IAM sends them: URL-encoded
//     (RFC 3986). Callers decode them (see DecodePolicyDocument).
package cloud

import (
	"context"
	"time"
)

// Account is one AWS account as seen through one set of credentials.
type Account interface {
	STS() STS
	IAM() IAM
	S3(region string) S3
	KMS(region string) KMS
	EC2(region string) EC2
}

// ---------------------------------------------------------------- STS

// CallerIdentity is the answer of sts:GetCallerIdentity.
type CallerIdentity struct {
	Account string
	Arn     string
	UserID  string
}

// STS is the part of sts hanavault uses.
type STS interface {
	GetCallerIdentity(ctx context.Context) (CallerIdentity, error)
}

// ---------------------------------------------------------------- EC2

// Region is one entry of ec2:DescribeRegions.
type Region struct {
	Name        string
	Endpoint    string
	OptInStatus string // opt-in-not-required | opted-in | not-opted-in
}

// EC2 is the part of ec2 hanavault uses.
type EC2 interface {
	// DescribeRegions lists the enabled regions; with all=true also the
	// regions that are not opted in.
	DescribeRegions(ctx context.Context, all bool) ([]Region, error)
}

// ---------------------------------------------------------------- IAM

// Tag is a key/value pair, as on S3 buckets, KMS keys and IAM roles.
type Tag struct {
	Key   string
	Value string
}

// Role is an IAM role. AssumeRolePolicyDocument is URL-encoded as IAM
// returns it (empty in ListRoles answers of some partitions). Tags are only
// filled by GetRole (ListRoles omits them, as in AWS).
type Role struct {
	RoleName                 string
	RoleID                   string
	Arn                      string
	Path                     string
	AssumeRolePolicyDocument string
	Description              string
	CreateDate               time.Time
	Tags                     []Tag
	// PermissionsBoundary is the ARN of the managed policy that bounds the
	// role ("" when it has none); only GetRole fills it.
	PermissionsBoundary string
}

// CreateRoleInput mirrors iam.CreateRoleInput.
type CreateRoleInput struct {
	RoleName                 string
	Path                     string // "" means "/"
	AssumeRolePolicyDocument string // plain JSON
	Description              string
	Tags                     []Tag
}

// ListRolesInput mirrors iam.ListRolesInput.
type ListRolesInput struct {
	PathPrefix string
	Marker     string
	MaxItems   int32 // 0 means the service default (100)
}

// ListRolesOutput mirrors iam.ListRolesOutput.
type ListRolesOutput struct {
	Roles       []Role
	IsTruncated bool
	Marker      string
}

// InstanceProfile is an IAM instance profile with the roles it holds (at most one).
type InstanceProfile struct {
	InstanceProfileName string
	Arn                 string
	Path                string
	Roles               []Role
}

// ListInstanceProfilesOutput mirrors iam.ListInstanceProfilesOutput and
// iam.ListInstanceProfilesForRoleOutput.
type ListInstanceProfilesOutput struct {
	InstanceProfiles []InstanceProfile
	IsTruncated      bool
	Marker           string
}

// AttachedPolicy is one managed policy attached to a role.
type AttachedPolicy struct {
	PolicyName string
	PolicyArn  string
}

// ListAttachedRolePoliciesOutput mirrors iam.ListAttachedRolePoliciesOutput.
type ListAttachedRolePoliciesOutput struct {
	AttachedPolicies []AttachedPolicy
	IsTruncated      bool
	Marker           string
}

// ListRolePoliciesOutput mirrors iam.ListRolePoliciesOutput (inline policy names).
type ListRolePoliciesOutput struct {
	PolicyNames []string
	IsTruncated bool
	Marker      string
}

// ContextEntry is one condition key of a policy simulation
// (iam types.ContextEntry; values are sent as strings, booleans as
// "true"/"false").
type ContextEntry struct {
	Key    string
	Type   string // string | boolean | numeric | date | ip | arn (the IAM ContextKeyTypeEnum values)
	Values []string
}

// SimulatePrincipalPolicyInput mirrors iam.SimulatePrincipalPolicyInput for
// a role: its identity policies (and permissions boundary) together with
// ResourcePolicy, for every action on every resource.
type SimulatePrincipalPolicyInput struct {
	PolicySourceArn string // the role ARN
	ActionNames     []string
	ResourceArns    []string
	ResourcePolicy  string // plain JSON, e.g. a bucket policy
	ContextEntries  []ContextEntry
	Marker          string
}

// Simulation decisions (iam PolicyEvaluationDecisionType).
const (
	DecisionAllowed      = "allowed"
	DecisionExplicitDeny = "explicitDeny"
	DecisionImplicitDeny = "implicitDeny"
)

// EvaluationResult is one action on one resource of a simulation.
type EvaluationResult struct {
	Action   string
	Resource string
	Decision string // allowed | explicitDeny | implicitDeny
	// MatchedStatements names the deciding policies by their source ID
	// (a policy name, ARN, or "ResourcePolicy").
	MatchedStatements []string
	// DeniedByBoundary is set when a permissions boundary does not allow
	// the action (PermissionsBoundaryDecisionDetail).
	DeniedByBoundary bool
}

// SimulatePrincipalPolicyOutput mirrors iam.SimulatePrincipalPolicyOutput.
type SimulatePrincipalPolicyOutput struct {
	Results     []EvaluationResult
	IsTruncated bool
	Marker      string
}

// IAM is the part of iam hanavault uses.
type IAM interface {
	GetRole(ctx context.Context, roleName string) (Role, error)
	CreateRole(ctx context.Context, in CreateRoleInput) (Role, error)
	DeleteRole(ctx context.Context, roleName string) error
	UpdateAssumeRolePolicy(ctx context.Context, roleName, document string) error
	ListRoles(ctx context.Context, in ListRolesInput) (ListRolesOutput, error)
	TagRole(ctx context.Context, roleName string, tags []Tag) error

	// GetRolePolicy returns the inline policy document, URL-encoded.
	GetRolePolicy(ctx context.Context, roleName, policyName string) (string, error)
	PutRolePolicy(ctx context.Context, roleName, policyName, document string) error
	DeleteRolePolicy(ctx context.Context, roleName, policyName string) error
	ListRolePolicies(ctx context.Context, roleName, marker string) (ListRolePoliciesOutput, error)

	ListAttachedRolePolicies(ctx context.Context, roleName, marker string) (ListAttachedRolePoliciesOutput, error)
	DetachRolePolicy(ctx context.Context, roleName, policyArn string) error

	ListInstanceProfiles(ctx context.Context, marker string) (ListInstanceProfilesOutput, error)
	ListInstanceProfilesForRole(ctx context.Context, roleName, marker string) (ListInstanceProfilesOutput, error)
	RemoveRoleFromInstanceProfile(ctx context.Context, instanceProfileName, roleName string) error

	// GetPolicyDefaultVersion returns the default version ID of a managed
	// policy (iam:GetPolicy).
	GetPolicyDefaultVersion(ctx context.Context, policyArn string) (string, error)
	// GetPolicyVersion returns a managed policy version's document,
	// URL-encoded as IAM sends it.
	GetPolicyVersion(ctx context.Context, policyArn, versionID string) (string, error)
	// SimulatePrincipalPolicy runs the IAM policy simulator for a principal.
	SimulatePrincipalPolicy(ctx context.Context, in SimulatePrincipalPolicyInput) (SimulatePrincipalPolicyOutput, error)
}

// ---------------------------------------------------------------- KMS

// KeyMetadata mirrors kms types.KeyMetadata (the fields hanavault reads).
type KeyMetadata struct {
	KeyID        string
	Arn          string
	Description  string
	Enabled      bool
	KeyState     string // Enabled | Disabled | PendingDeletion | ...
	KeyManager   string // CUSTOMER | AWS
	KeySpec      string // SYMMETRIC_DEFAULT | ...
	KeyUsage     string // ENCRYPT_DECRYPT | ...
	MultiRegion  bool
	CreationDate time.Time
	DeletionDate time.Time // zero unless PendingDeletion
}

// CreateKeyInput mirrors kms.CreateKeyInput. BypassPolicyLockoutSafetyCheck
// is deliberately absent: hanavault never sets it.
type CreateKeyInput struct {
	Description string
	Policy      string
	KeySpec     string // "" means SYMMETRIC_DEFAULT
	KeyUsage    string // "" means ENCRYPT_DECRYPT
	Tags        []Tag
}

// Alias is one entry of kms:ListAliases.
type Alias struct {
	AliasName   string
	AliasArn    string
	TargetKeyID string // empty for AWS-managed aliases without a key yet
}

// ListAliasesOutput mirrors kms.ListAliasesOutput.
type ListAliasesOutput struct {
	Aliases    []Alias
	Truncated  bool
	NextMarker string
}

// KeyListEntry is one entry of kms:ListKeys.
type KeyListEntry struct {
	KeyID  string
	KeyArn string
}

// ListKeysOutput mirrors kms.ListKeysOutput.
type ListKeysOutput struct {
	Keys       []KeyListEntry
	Truncated  bool
	NextMarker string
}

// Grant is one grant on a KMS key (kms.GrantListEntry). Grants give their
// grantee use of the key without the key policy.
type Grant struct {
	GrantID           string
	Name              string
	KeyArn            string
	GranteePrincipal  string
	RetiringPrincipal string
	IssuingAccount    string
	Operations        []string
	CreationDate      time.Time
}

// ListGrantsOutput mirrors kms.ListGrantsOutput.
type ListGrantsOutput struct {
	Grants     []Grant
	Truncated  bool
	NextMarker string
}

// KMS is the part of kms hanavault uses, for one region.
type KMS interface {
	CreateKey(ctx context.Context, in CreateKeyInput) (KeyMetadata, error)
	// DescribeKey accepts a key ID, key ARN, alias name or alias ARN.
	DescribeKey(ctx context.Context, keyID string) (KeyMetadata, error)
	ListKeys(ctx context.Context, marker string) (ListKeysOutput, error)
	GetKeyPolicy(ctx context.Context, keyID string) (string, error)
	PutKeyPolicy(ctx context.Context, keyID, policy string) error
	GetKeyRotationStatus(ctx context.Context, keyID string) (bool, error)
	EnableKeyRotation(ctx context.Context, keyID string) error
	DisableKeyRotation(ctx context.Context, keyID string) error
	EnableKey(ctx context.Context, keyID string) error

	// ListAliases lists aliases; with keyID set only those of that key.
	ListAliases(ctx context.Context, keyID, marker string) (ListAliasesOutput, error)
	CreateAlias(ctx context.Context, aliasName, targetKeyID string) error
	UpdateAlias(ctx context.Context, aliasName, targetKeyID string) error
	DeleteAlias(ctx context.Context, aliasName string) error

	ListResourceTags(ctx context.Context, keyID string) ([]Tag, error)
	TagResource(ctx context.Context, keyID string, tags []Tag) error

	// ListGrants lists the grants of a key (key ID or key ARN), a page at
	// a time.
	ListGrants(ctx context.Context, keyID, marker string) (ListGrantsOutput, error)

	// ScheduleKeyDeletion returns the date the key will be deleted.
	ScheduleKeyDeletion(ctx context.Context, keyID string, pendingWindowDays int32) (time.Time, error)
	CancelKeyDeletion(ctx context.Context, keyID string) error
}

// ---------------------------------------------------------------- S3

// Versioning status values.
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// SSE algorithms.
const (
	SSEAES256 = "AES256"
	SSEKMS    = "aws:kms"
)

// BucketSummary is one entry of s3:ListBuckets.
type BucketSummary struct {
	Name         string
	CreationDate time.Time
	BucketRegion string // filled where the service reports it
}

// CreateBucketInput mirrors s3.CreateBucketInput. LocationConstraint is sent
// as given: "" sends no CreateBucketConfiguration at all. The caller decides
// (us-east-1 needs none, every other region its own name).
type CreateBucketInput struct {
	Bucket             string
	LocationConstraint string
	ObjectOwnership    string // "" leaves the service default
}

// HeadBucketOutput carries the x-amz-bucket-region header.
type HeadBucketOutput struct {
	BucketRegion string
}

// ServerSideEncryptionByDefault mirrors the single default-encryption rule
// hanavault manages.
type ServerSideEncryptionByDefault struct {
	SSEAlgorithm     string // AES256 | aws:kms
	KMSMasterKeyID   string
	BucketKeyEnabled bool
}

// PublicAccessBlock mirrors types.PublicAccessBlockConfiguration.
type PublicAccessBlock struct {
	BlockPublicAcls       bool
	IgnorePublicAcls      bool
	BlockPublicPolicy     bool
	RestrictPublicBuckets bool
}

// Transition moves objects to another storage class after Days.
type Transition struct {
	Days         int32
	StorageClass string
}

// LifecycleRule mirrors types.LifecycleRule for the actions hanavault uses.
// An empty Prefix means an empty <Filter/> (the whole bucket); the SDK adapter
// always sends a Filter, never the legacy top-level Prefix.
type LifecycleRule struct {
	ID                                 string
	Status                             string // Enabled | Disabled
	Prefix                             string
	Transitions                        []Transition
	ExpirationDays                     int32 // 0: none
	ExpiredObjectDeleteMarker          bool  // only in a rule without ExpirationDays
	NoncurrentVersionTransitions       []Transition
	NoncurrentVersionExpirationDays    int32 // 0: none
	AbortIncompleteMultipartUploadDays int32 // 0: none
}

// LifecycleConfiguration mirrors types.BucketLifecycleConfiguration.
type LifecycleConfiguration struct {
	Rules []LifecycleRule
	// TransitionDefaultMinimumObjectSize: "" (service default,
	// all_storage_classes_128K) or varies_by_storage_class.
	TransitionDefaultMinimumObjectSize string
}

// LoggingEnabled mirrors types.LoggingEnabled. PartitionedPrefix selects the
// PartitionedPrefix key format (date source EventTime unless set).
type LoggingEnabled struct {
	TargetBucket        string
	TargetPrefix        string
	PartitionedPrefix   bool
	PartitionDateSource string // EventTime | DeliveryTime
}

// ReplicationRule mirrors a V2 types.ReplicationRule (always with a Filter).
type ReplicationRule struct {
	ID                      string
	Priority                int32
	Status                  string // Enabled | Disabled
	Prefix                  string // "" = empty filter
	DeleteMarkerReplication bool
	SseKmsEncryptedObjects  bool
	DestinationBucket       string // bucket ARN
	ReplicaKmsKeyID         string // key ARN in the destination region
	StorageClass            string // "" keeps the source class
	ReplicationTime         bool   // RTC, 15 minutes
	Metrics                 bool   // replication metrics, 15 minutes threshold
}

// ReplicationConfiguration mirrors types.ReplicationConfiguration.
type ReplicationConfiguration struct {
	Role  string
	Rules []ReplicationRule
}

// ObjectVersion is one entry of ListObjectVersions' Versions.
type ObjectVersion struct {
	Key          string
	VersionID    string
	IsLatest     bool
	Size         int64
	StorageClass string
	LastModified time.Time
	// Restore is the restore status of an archived version; filled only
	// when the listing asked for it (ListObjectVersionsInput.RestoreStatus).
	Restore RestoreStatus
}

// RestoreStatus is the state of a restore of an archived object
// (x-amz-restore on HeadObject, RestoreStatus in listings). The zero
// value means no restore was requested (or the restored copy expired).
type RestoreStatus struct {
	InProgress bool
	Expiry     time.Time // when the restored copy expires; zero while in progress
}

// Requested reports whether a restore is in progress or done.
func (r RestoreStatus) Requested() bool { return r.InProgress || !r.Expiry.IsZero() }

// DeleteMarkerEntry is one entry of ListObjectVersions' DeleteMarkers.
type DeleteMarkerEntry struct {
	Key          string
	VersionID    string
	IsLatest     bool
	LastModified time.Time
}

// ListObjectVersionsInput mirrors s3.ListObjectVersionsInput.
type ListObjectVersionsInput struct {
	Bucket          string
	Prefix          string
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int32 // 0: service default (1000)
	// RestoreStatus asks for each version's restore status
	// (OptionalObjectAttributes=RestoreStatus).
	RestoreStatus bool
}

// ListObjectVersionsOutput mirrors s3.ListObjectVersionsOutput.
type ListObjectVersionsOutput struct {
	Versions            []ObjectVersion
	DeleteMarkers       []DeleteMarkerEntry
	IsTruncated         bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// ObjectIdentifier names one object version for DeleteObjects.
type ObjectIdentifier struct {
	Key       string
	VersionID string
}

// DeleteError is one per-key failure of DeleteObjects (HTTP 200 overall).
type DeleteError struct {
	Key       string
	VersionID string
	Code      string
	Message   string
}

// DeleteObjectsOutput mirrors s3.DeleteObjectsOutput.
type DeleteObjectsOutput struct {
	Deleted []ObjectIdentifier
	Errors  []DeleteError
}

// MultipartUpload is one entry of ListMultipartUploads.
type MultipartUpload struct {
	Key      string
	UploadID string
}

// ListMultipartUploadsInput mirrors s3.ListMultipartUploadsInput.
type ListMultipartUploadsInput struct {
	Bucket         string
	KeyMarker      string
	UploadIDMarker string
}

// ListMultipartUploadsOutput mirrors s3.ListMultipartUploadsOutput.
type ListMultipartUploadsOutput struct {
	Uploads            []MultipartUpload
	IsTruncated        bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// PutObjectInput mirrors s3.PutObjectInput for what hanavault and its tests
// send. Empty ServerSideEncryption sends no encryption header at all.
type PutObjectInput struct {
	Bucket               string
	Key                  string
	Body                 []byte
	ServerSideEncryption string // "", AES256, aws:kms
	SSEKMSKeyID          string
	// SSECustomerAlgorithm set to AES256 simulates an SSE-C request.
	SSECustomerAlgorithm string
	BucketKeyEnabled     *bool
	// StorageClass ("" = STANDARD) stores the object in that class
	// directly, e.g. GLACIER.
	StorageClass string
}

// ObjectInfo is what PutObject, HeadObject and CompleteMultipartUpload report.
type ObjectInfo struct {
	VersionID            string
	ContentLength        int64
	ServerSideEncryption string
	SSEKMSKeyID          string // key ARN
	BucketKeyEnabled     bool
	ReplicationStatus    string // "" | PENDING | COMPLETED | FAILED | REPLICA
	StorageClass         string
	DeleteMarker         bool
	LastModified         time.Time // HeadObject and GetObject only
	Restore              RestoreStatus
}

// Storage classes hanavault distinguishes.
const (
	StorageClassStandard    = "STANDARD"
	StorageClassGlacier     = "GLACIER"
	StorageClassDeepArchive = "DEEP_ARCHIVE"
	StorageClassGlacierIR   = "GLACIER_IR"
)

// IsArchived reports whether objects of the storage class must be restored
// before they can be read (S3 user guide, restoring-objects: S3 Glacier
// Flexible Retrieval and Deep Archive; Glacier Instant Retrieval is read
// directly).
func IsArchived(storageClass string) bool {
	return storageClass == StorageClassGlacier || storageClass == StorageClassDeepArchive
}

// Restore tiers (types.Tier).
const (
	TierStandard  = "Standard"
	TierBulk      = "Bulk"
	TierExpedited = "Expedited"
)

// RestoreObjectInput mirrors s3.RestoreObjectInput for a plain restore.
type RestoreObjectInput struct {
	Bucket    string
	Key       string
	VersionID string
	Days      int32
	Tier      string
}

// RestoreObjectOutput tells a new restore (HTTP 202) from one of an object
// whose restored copy already exists (HTTP 200, expiry extended).
type RestoreObjectOutput struct {
	AlreadyRestored bool
}

// GetObjectOutput is HeadObject plus the body.
type GetObjectOutput struct {
	ObjectInfo
	Body []byte
}

// DeleteObjectOutput mirrors s3.DeleteObjectOutput.
type DeleteObjectOutput struct {
	VersionID    string
	DeleteMarker bool
}

// CreateMultipartUploadInput carries the encryption headers of a multipart
// upload; UploadPart carries none, as in AWS.
type CreateMultipartUploadInput struct {
	Bucket               string
	Key                  string
	ServerSideEncryption string
	SSEKMSKeyID          string
}

// UploadPartInput mirrors s3.UploadPartInput.
type UploadPartInput struct {
	Bucket     string
	Key        string
	UploadID   string
	PartNumber int32
	Body       []byte
}

// CompletedPart names one uploaded part.
type CompletedPart struct {
	PartNumber int32
	ETag       string
}

// CompleteMultipartUploadInput mirrors s3.CompleteMultipartUploadInput.
type CompleteMultipartUploadInput struct {
	Bucket   string
	Key      string
	UploadID string
	Parts    []CompletedPart
}

// S3 is the part of s3 hanavault uses, bound to one region's endpoint.
//
// Get* calls on a missing configuration return the service's own error
// code (NoSuchBucketPolicy, ServerSideEncryptionConfigurationNotFoundError,
// NoSuchLifecycleConfiguration, ReplicationConfigurationNotFoundError,
// NoSuchTagSet, OwnershipControlsNotFoundError,
// NoSuchPublicAccessBlockConfiguration). GetBucketVersioning returns "" for
// a bucket that was never versioned; GetBucketLogging returns nil when
// logging is off.
type S3 interface {
	ListBuckets(ctx context.Context) ([]BucketSummary, error)
	// ServerClock returns AWS's clock: the Date header of a cheap S3
	// answer, to the second (truncated). Times AWS reports (CreationDate,
	// CreateDate) are in this clock, which may be off the local one.
	ServerClock(ctx context.Context) (time.Time, error)
	CreateBucket(ctx context.Context, in CreateBucketInput) error
	// HeadBucket: NotFound (404) when no such bucket exists, Forbidden (403)
	// when it exists but belongs to someone else.
	HeadBucket(ctx context.Context, bucket string) (HeadBucketOutput, error)
	// GetBucketLocation returns the raw LocationConstraint ("" for
	// us-east-1, "EU" for old eu-west-1 buckets).
	GetBucketLocation(ctx context.Context, bucket string) (string, error)
	DeleteBucket(ctx context.Context, bucket string) error

	GetBucketVersioning(ctx context.Context, bucket string) (string, error)
	PutBucketVersioning(ctx context.Context, bucket, status string) error

	GetBucketEncryption(ctx context.Context, bucket string) (ServerSideEncryptionByDefault, error)
	PutBucketEncryption(ctx context.Context, bucket string, rule ServerSideEncryptionByDefault) error
	DeleteBucketEncryption(ctx context.Context, bucket string) error

	GetPublicAccessBlock(ctx context.Context, bucket string) (PublicAccessBlock, error)
	PutPublicAccessBlock(ctx context.Context, bucket string, pab PublicAccessBlock) error
	DeletePublicAccessBlock(ctx context.Context, bucket string) error

	// GetBucketOwnershipControls returns the ObjectOwnership value.
	GetBucketOwnershipControls(ctx context.Context, bucket string) (string, error)
	PutBucketOwnershipControls(ctx context.Context, bucket, objectOwnership string) error
	DeleteBucketOwnershipControls(ctx context.Context, bucket string) error

	GetBucketPolicy(ctx context.Context, bucket string) (string, error)
	PutBucketPolicy(ctx context.Context, bucket, policy string) error
	DeleteBucketPolicy(ctx context.Context, bucket string) error

	GetBucketLifecycleConfiguration(ctx context.Context, bucket string) (LifecycleConfiguration, error)
	PutBucketLifecycleConfiguration(ctx context.Context, bucket string, cfg LifecycleConfiguration) error
	DeleteBucketLifecycle(ctx context.Context, bucket string) error

	GetBucketLogging(ctx context.Context, bucket string) (*LoggingEnabled, error)
	// PutBucketLogging with nil switches logging off.
	PutBucketLogging(ctx context.Context, bucket string, logging *LoggingEnabled) error

	GetBucketTagging(ctx context.Context, bucket string) ([]Tag, error)
	PutBucketTagging(ctx context.Context, bucket string, tags []Tag) error
	DeleteBucketTagging(ctx context.Context, bucket string) error

	GetBucketReplication(ctx context.Context, bucket string) (ReplicationConfiguration, error)
	PutBucketReplication(ctx context.Context, bucket string, cfg ReplicationConfiguration) error
	DeleteBucketReplication(ctx context.Context, bucket string) error

	ListObjectVersions(ctx context.Context, in ListObjectVersionsInput) (ListObjectVersionsOutput, error)
	// DeleteObjects takes at most 1000 identifiers.
	DeleteObjects(ctx context.Context, bucket string, objects []ObjectIdentifier) (DeleteObjectsOutput, error)
	ListMultipartUploads(ctx context.Context, in ListMultipartUploadsInput) (ListMultipartUploadsOutput, error)
	AbortMultipartUpload(ctx context.Context, bucket, key, uploadID string) error

	PutObject(ctx context.Context, in PutObjectInput) (ObjectInfo, error)
	HeadObject(ctx context.Context, bucket, key, versionID string) (ObjectInfo, error)
	GetObject(ctx context.Context, bucket, key, versionID string) (GetObjectOutput, error)
	DeleteObject(ctx context.Context, bucket, key, versionID string) (DeleteObjectOutput, error)
	CreateMultipartUpload(ctx context.Context, in CreateMultipartUploadInput) (string, error)
	UploadPart(ctx context.Context, in UploadPartInput) (string, error)
	CompleteMultipartUpload(ctx context.Context, in CompleteMultipartUploadInput) (ObjectInfo, error)
	// RestoreObject asks for a temporary copy of an archived object;
	// RestoreAlreadyInProgress (409) while one is being made.
	RestoreObject(ctx context.Context, in RestoreObjectInput) (RestoreObjectOutput, error)
}
