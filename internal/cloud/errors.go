package cloud

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Error is an AWS service error reduced to what hanavault decides on.
type Error struct {
	Service    string // s3, kms, iam, sts, ec2
	Op         string // the API operation, e.g. CreateBucket
	Code       string // the AWS error code, e.g. BucketAlreadyOwnedByYou
	Message    string
	HTTPStatus int
	Resource   string // bucket, key, role or alias the call was about, when known
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Service)
	b.WriteString(":")
	b.WriteString(e.Op)
	if e.Resource != "" {
		fmt.Fprintf(&b, " %s", e.Resource)
	}
	fmt.Fprintf(&b, ": %s", e.Code)
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	return b.String()
}

// ErrorCode returns the AWS error code of err, or "" when err carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// IsCode reports whether err is an AWS error with one of the given codes.
func IsCode(err error, codes ...string) bool {
	c := ErrorCode(err)
	if c == "" {
		return false
	}
	for _, want := range codes {
		if c == want {
			return true
		}
	}
	return false
}

// throttlingCodes are the codes with which AWS services ask a caller to
// slow down: S3's SlowDown, the Throttling(Exception) of the Query and
// JSON protocols, TooManyRequestsException, and EC2's
// RequestLimitExceeded.
var throttlingCodes = []string{CodeThrottling, CodeThrottlingException, CodeTooManyRequests, CodeRequestLimitExceeded, CodeSlowDown}

// IsThrottling reports whether err is AWS asking the caller to slow down.
func IsThrottling(err error) bool { return IsCode(err, throttlingCodes...) }

// ErrorMessage returns the AWS error message of err, or err.Error().
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

// AWS error codes hanavault decides on.
const (
	// S3
	CodeNoSuchBucket                 = "NoSuchBucket"
	CodeNotFound                     = "NotFound"  // HeadBucket/HeadObject 404
	CodeForbidden                    = "Forbidden" // HeadBucket 403
	CodeAccessDenied                 = "AccessDenied"
	CodeBucketAlreadyExists          = "BucketAlreadyExists"
	CodeBucketAlreadyOwnedByYou      = "BucketAlreadyOwnedByYou"
	CodeBucketNotEmpty               = "BucketNotEmpty"
	CodeInvalidLocationConstraint    = "InvalidLocationConstraint"
	CodeIllegalLocationConstraint    = "IllegalLocationConstraintException"
	CodeInvalidBucketName            = "InvalidBucketName"
	CodeNoSuchBucketPolicy           = "NoSuchBucketPolicy"
	CodeNoSuchEncryption             = "ServerSideEncryptionConfigurationNotFoundError"
	CodeNoSuchLifecycle              = "NoSuchLifecycleConfiguration"
	CodeNoSuchReplication            = "ReplicationConfigurationNotFoundError"
	CodeNoSuchTagSet                 = "NoSuchTagSet"
	CodeNoSuchOwnershipControls      = "OwnershipControlsNotFoundError"
	CodeNoSuchPublicAccessBlock      = "NoSuchPublicAccessBlockConfiguration"
	CodeNoSuchKey                    = "NoSuchKey"
	CodeNoSuchUpload                 = "NoSuchUpload"
	CodeInvalidObjectState           = "InvalidObjectState"       // GET of an archived object; RestoreObject of a non-archived one
	CodeRestoreAlreadyInProgress     = "RestoreAlreadyInProgress" // RestoreObject 409
	CodeInvalidRequest               = "InvalidRequest"
	CodeInvalidArgument              = "InvalidArgument"
	CodeMalformedXML                 = "MalformedXML"
	CodeMalformedPolicy              = "MalformedPolicy"
	CodeOperationAborted             = "OperationAborted"
	CodeInvalidTargetBucketLogging   = "InvalidTargetBucketForLogging"
	CodeCrossLocationLogging         = "CrossLocationLoggingProhibited"
	CodeAccessControlListNotSupport  = "AccessControlListNotSupported"
	CodeInvalidTag                   = "InvalidTag"
	CodeSlowDown                     = "SlowDown"
	CodeServiceUnavailable           = "ServiceUnavailable"
	CodeInternalError                = "InternalError"
	CodeRequestTimeout               = "RequestTimeout"
	CodeThrottling                   = "Throttling"
	CodeThrottlingException          = "ThrottlingException"
	CodeTooManyRequests              = "TooManyRequestsException"
	CodeRequestLimitExceeded         = "RequestLimitExceeded"
	CodeExpiredToken                 = "ExpiredToken"
	CodeExpiredTokenException        = "ExpiredTokenException"
	CodeInvalidClientTokenID         = "InvalidClientTokenId"
	CodeUnrecognizedClient           = "UnrecognizedClientException"
	CodeSignatureDoesNotMatch        = "SignatureDoesNotMatch"
	CodeAccessDeniedException        = "AccessDeniedException"
	CodeUnauthorizedOperation        = "UnauthorizedOperation"
	CodeAuthorizationHeaderMalformed = "AuthorizationHeaderMalformed"

	// KMS
	CodeNotFoundException          = "NotFoundException"
	CodeAlreadyExistsException     = "AlreadyExistsException"
	CodeMalformedPolicyDocument    = "MalformedPolicyDocumentException"
	CodeKMSInvalidStateException   = "KMSInvalidStateException"
	CodeDisabledException          = "DisabledException"
	CodeInvalidAliasNameException  = "InvalidAliasNameException"
	CodeLimitExceededException     = "LimitExceededException"
	CodeUnsupportedOperation       = "UnsupportedOperationException"
	CodeValidationException        = "ValidationException"
	CodeInvalidKeyUsageException   = "InvalidKeyUsageException"
	CodeIncorrectKeyException      = "IncorrectKeyException"
	CodeInvalidCiphertextException = "InvalidCiphertextException"

	// IAM
	CodeNoSuchEntity           = "NoSuchEntity"
	CodeEntityAlreadyExists    = "EntityAlreadyExists"
	CodeDeleteConflict         = "DeleteConflict"
	CodeMalformedPolicyDoc     = "MalformedPolicyDocument"
	CodeLimitExceeded          = "LimitExceeded"
	CodeUnmodifiableEntity     = "UnmodifiableEntity"
	CodeConcurrentModification = "ConcurrentModification"
	CodeIAMValidationError     = "ValidationError"
)

// DecodePolicyDocument turns a policy document as IAM returns it
// (URL-encoded, RFC 3986) into plain JSON. A document that is already plain
// JSON (it starts with '{' after trimming) is returned unchanged, so the
// function is safe on both forms.
func DecodePolicyDocument(doc string) (string, error) {
	t := strings.TrimSpace(doc)
	if t == "" || strings.HasPrefix(t, "{") {
		return t, nil
	}
	out, err := url.QueryUnescape(t)
	if err != nil {
		return "", fmt.Errorf("decode IAM policy document: %w", err)
	}
	return out, nil
}

// EncodePolicyDocument URL-encodes a JSON policy document the way IAM
// returns it (RFC 3986: spaces as %20, not '+').
func EncodePolicyDocument(doc string) string {
	return strings.ReplaceAll(url.QueryEscape(doc), "+", "%20")
}

// mutatingOps lists the API operations that change state. Everything else
// hanavault calls is a read.
var mutatingOps = map[string]bool{
	// S3
	"CreateBucket": true, "DeleteBucket": true,
	"PutBucketVersioning": true,
	"PutBucketEncryption": true, "DeleteBucketEncryption": true,
	"PutPublicAccessBlock": true, "DeletePublicAccessBlock": true,
	"PutBucketOwnershipControls": true, "DeleteBucketOwnershipControls": true,
	"PutBucketPolicy": true, "DeleteBucketPolicy": true,
	"PutBucketLifecycleConfiguration": true, "DeleteBucketLifecycle": true,
	"PutBucketLogging": true,
	"PutBucketTagging": true, "DeleteBucketTagging": true,
	"PutBucketReplication": true, "DeleteBucketReplication": true,
	"DeleteObjects": true, "AbortMultipartUpload": true,
	"PutObject": true, "DeleteObject": true,
	"CreateMultipartUpload": true, "UploadPart": true, "CompleteMultipartUpload": true,
	"RestoreObject": true,
	// KMS
	"CreateKey": true, "PutKeyPolicy": true,
	"EnableKeyRotation": true, "DisableKeyRotation": true, "EnableKey": true,
	"CreateAlias": true, "UpdateAlias": true, "DeleteAlias": true,
	"TagResource": true, "ScheduleKeyDeletion": true, "CancelKeyDeletion": true,
	// IAM
	"CreateRole": true, "DeleteRole": true, "UpdateAssumeRolePolicy": true, "TagRole": true,
	"PutRolePolicy": true, "DeleteRolePolicy": true, "DetachRolePolicy": true,
	"RemoveRoleFromInstanceProfile": true,
}

// IsMutating reports whether the named API operation changes state.
func IsMutating(op string) bool { return mutatingOps[op] }
