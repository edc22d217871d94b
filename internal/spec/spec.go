// Package spec owns the landscape: the parameters of one SAP HANA backup
// landscape (one SID), their defaults, parsing of landscape.yaml and the
// validators shared by the CLI and the wizard. It imports no AWS or Charm
// package.
package spec

// Landscape is one landscape.yaml. Keys are the original CloudFormation
// design's parameter names in lowerCamelCase, plus options with defaults.
type Landscape struct {
	SID               string `yaml:"sid" json:"sid"`
	SourceRegion      string `yaml:"sourceRegion" json:"sourceRegion"`
	ReplicationRegion string `yaml:"replicationRegion" json:"replicationRegion"`

	OriginalBucketName    string `yaml:"originalBucketName" json:"originalBucketName"`
	OriginalCMKAlias      string `yaml:"originalCMKAlias" json:"originalCMKAlias"`
	ReplicationBucketName string `yaml:"replicationBucketName" json:"replicationBucketName"`
	ReplicationCMKAlias   string `yaml:"replicationCMKAlias" json:"replicationCMKAlias"`

	// EC2RoleToRunBackup and KMSAdminRole are role names or role ARNs.
	EC2RoleToRunBackup string `yaml:"ec2RoleToRunBackup" json:"ec2RoleToRunBackup"`
	KMSAdminRole       string `yaml:"kmsAdminRole" json:"kmsAdminRole"`

	// BucketNameForLambdaCode is accepted for compatibility with the
	// CloudFormation design and ignored by the direct engine.
	BucketNameForLambdaCode string `yaml:"bucketNameForLambdaCode,omitempty" json:"bucketNameForLambdaCode,omitempty"`

	// Options. Zero values mean "use the default" (see ApplyDefaults).
	OriginalLogBucketName    string    `yaml:"originalLogBucketName,omitempty" json:"originalLogBucketName,omitempty"`       // default <originalBucketName>-logs
	ReplicationLogBucketName string    `yaml:"replicationLogBucketName,omitempty" json:"replicationLogBucketName,omitempty"` // default <replicationBucketName>-logs
	ReplicationRoleName      string    `yaml:"replicationRoleName,omitempty" json:"replicationRoleName,omitempty"`           // default hanavault-<SID>-replication
	Lifecycle                Lifecycle `yaml:"lifecycle,omitempty" json:"lifecycle"`
	LogRetentionDays         int       `yaml:"logRetentionDays,omitempty" json:"logRetentionDays,omitempty"`           // default 365
	KMSDeletionWindowDays    int       `yaml:"kmsDeletionWindowDays,omitempty" json:"kmsDeletionWindowDays,omitempty"` // default 30, range 7-30
	// RecoveryWindowDays is how far back the Basis team needs point-in-time
	// recovery; 0 = not stated. Only used for plan warnings.
	RecoveryWindowDays int `yaml:"recoveryWindowDays,omitempty" json:"recoveryWindowDays,omitempty"`
	// MaxReplicationLagMinutes is the DR lag (now minus the newest backup
	// replicated) above which status reports the recovery point at risk;
	// 0 = not checked, nil = the default (60).
	MaxReplicationLagMinutes *int `yaml:"maxReplicationLagMinutes,omitempty" json:"maxReplicationLagMinutes,omitempty"`
	ReplicationTimeControl   bool `yaml:"replicationTimeControl,omitempty" json:"replicationTimeControl"`
	DeleteMarkerReplication  bool `yaml:"deleteMarkerReplication,omitempty" json:"deleteMarkerReplication"`
	// RequireEncryptionHeader also denies uploads that carry no encryption
	// header. Off by default: multipart UploadPart requests carry none.
	RequireEncryptionHeader bool `yaml:"requireEncryptionHeader,omitempty" json:"requireEncryptionHeader"`
	// Tags are extra tags put on every resource (cost centre, owner...).
	Tags map[string]string `yaml:"tags,omitempty" json:"tags,omitempty"`
}

// Lifecycle is the backup buckets' lifecycle. Current versions move to
// StorageClass after TransitionDays and expire ArchiveDays later.
//
// TransitionDays 0 means "archive at once" when StorageClass is set, and
// "use the default (7)" only while StorageClass is unset too (see
// ApplyDefaults; Parse resolves it from the keys present in the file).
type Lifecycle struct {
	TransitionDays               int    `yaml:"transitionDays,omitempty" json:"transitionDays"`                             // default 7
	StorageClass                 string `yaml:"storageClass,omitempty" json:"storageClass"`                                 // GLACIER (default) | DEEP_ARCHIVE | GLACIER_IR
	ArchiveDays                  int    `yaml:"archiveDays,omitempty" json:"archiveDays"`                                   // default 365
	NoncurrentExpirationDays     int    `yaml:"noncurrentExpirationDays,omitempty" json:"noncurrentExpirationDays"`         // default 30
	AbortIncompleteMultipartDays int    `yaml:"abortIncompleteMultipartDays,omitempty" json:"abortIncompleteMultipartDays"` // default 7
}

// ExpirationDays is the age at which current versions expire:
// TransitionDays + ArchiveDays (372 with the defaults).
func (l Lifecycle) ExpirationDays() int { return l.TransitionDays + l.ArchiveDays }
