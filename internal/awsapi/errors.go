package awsapi

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/ssocreds"
	"github.com/aws/smithy-go"

	"github.com/hanavault/hanavault/internal/cloud"
)

// httpStatuser is implemented by the SDK's HTTP response errors
// (awshttp.ResponseError and smithyhttp.ResponseError).
type httpStatuser interface{ HTTPStatusCode() int }

// convertError turns an SDK error into a *cloud.Error when the service
// answered, and otherwise wraps it (context, transport, credential and
// endpoint errors stay reachable through errors.Is/As).
func convertError(service, op, resource string, err error) error {
	if err == nil {
		return nil
	}
	status := 0
	var hs httpStatuser
	if errors.As(err, &hs) {
		status = hs.HTTPStatusCode()
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code := apiErr.ErrorCode()
		msg := apiErr.ErrorMessage()
		// HEAD responses carry no body, so the code comes from the status
		// alone; make sure it is the one AWS documents.
		if code == "" || code == "UnknownError" || code == http.StatusText(status) {
			switch status {
			case http.StatusNotFound:
				code = cloud.CodeNotFound
			case http.StatusForbidden:
				code = cloud.CodeForbidden
			}
		}
		if code == "" {
			code = "UnknownError"
		}
		return &cloud.Error{Service: service, Op: op, Code: code, Message: msg, HTTPStatus: status, Resource: resource}
	}
	if status == http.StatusNotFound || status == http.StatusForbidden {
		// A response error without a deserialised API error (empty HEAD
		// body on an SDK path that did not build one).
		code := cloud.CodeNotFound
		if status == http.StatusForbidden {
			code = cloud.CodeForbidden
		}
		return &cloud.Error{Service: service, Op: op, Code: code, HTTPStatus: status, Resource: resource}
	}
	// Drop the SDK's "operation error S3: HeadBucket," prefix: the wrapper
	// names service, operation and resource itself.
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) && opErr.Err != nil {
		err = opErr.Err
	}
	if resource != "" {
		return fmt.Errorf("%s:%s %s: %w", service, op, resource, err)
	}
	return fmt.Errorf("%s:%s: %w", service, op, err)
}

// Hint turns a common failure into one sentence that names the fix, or
// returns "" when err is not one of them: no credentials, an expired SSO
// session or session token, credentials AWS rejects, access denied on a call
// (naming the IAM action), no region, or an unknown profile. The advice names
// the profile when err carries it (a *CredentialsError); HintForProfile and
// (*Account).Hint name it for every error.
func Hint(err error) string {
	return HintForProfile(err, "")
}

// HintForProfile is Hint with the profile to name in the advice when the
// error does not carry one (for example ExpiredToken from a call, or an
// error from Load).
func HintForProfile(err error, profile string) string {
	if err == nil {
		return ""
	}
	var credErr *CredentialsError
	if errors.As(err, &credErr) && credErr.Profile != "" {
		profile = credErr.Profile
	}
	ssoLogin := "aws sso login"
	if profile != "" {
		ssoLogin += " --profile " + profile
	}

	var notExist config.SharedConfigProfileNotExistError
	if errors.As(err, &notExist) {
		name := notExist.Profile
		return fmt.Sprintf("The AWS profile %q does not exist: list the profiles with `aws configure list-profiles`, or create it with `aws configure --profile %s`.", name, name)
	}

	var ssoErr *ssocreds.InvalidTokenError
	if errors.As(err, &ssoErr) || (credErr != nil && isExpiredText(credErr.Error())) {
		return fmt.Sprintf("Your AWS SSO session has expired: run `%s` and try again.", ssoLogin)
	}
	if credErr != nil {
		if profile != "" {
			return fmt.Sprintf("No AWS credentials could be loaded for profile %q: run `aws sso login --profile %s` (IAM Identity Center) or `aws configure --profile %s` (access keys).", profile, profile, profile)
		}
		return "No AWS credentials found: run `aws configure` (access keys) or `aws sso login --profile NAME` and pass --profile NAME."
	}

	var missingRegion *aws.MissingRegionError
	if errors.Is(err, ErrNoRegion) || errors.As(err, &missingRegion) || isMissingRegionText(err.Error()) {
		return "No AWS region is configured: pass --region (for example --region eu-central-1) or set one in your profile with `aws configure set region REGION`."
	}

	var ce *cloud.Error
	if !errors.As(err, &ce) {
		return ""
	}
	switch ce.Code {
	case cloud.CodeExpiredToken, cloud.CodeExpiredTokenException, "RequestExpired", "TokenRefreshRequired":
		return fmt.Sprintf("Your AWS session token has expired: run `%s` (or refresh the temporary credentials) and try again.", ssoLogin)
	case cloud.CodeInvalidClientTokenID, cloud.CodeUnrecognizedClient, cloud.CodeSignatureDoesNotMatch, "AuthFailure", "InvalidAccessKeyId":
		return fmt.Sprintf("AWS rejected the credentials (%s): check them with `aws sts get-caller-identity`, fix them with `aws configure`, or pass another --profile.", ce.Code)
	case cloud.CodeAccessDenied, cloud.CodeAccessDeniedException, cloud.CodeUnauthorizedOperation:
		action := deniedAction(ce)
		on := ""
		if ce.Resource != "" {
			on = " on " + ce.Resource
		}
		return fmt.Sprintf("Access denied: the caller may not %s%s. Grant it in the caller's IAM policy (and check that no bucket or key policy denies it), or use a profile that has it.", action, on)
	}
	return ""
}

// Hint is HintForProfile with the profile a was loaded with.
func (a *Account) Hint(err error) string { return HintForProfile(err, a.profile) }

// isExpiredText recognises expired-session wording in credential errors
// that carry no typed error.
func isExpiredText(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "expired") || strings.Contains(s, "refresh cached sso token failed")
}

// isMissingRegionText recognises the endpoint resolver's complaint about an
// empty region.
func isMissingRegionText(s string) bool {
	s = strings.ToLower(s)
	return strings.Contains(s, "missing region") || strings.Contains(s, "region is required") ||
		strings.Contains(s, "a region must be set") ||
		strings.Contains(s, "invalid region: region was not a valid dns name")
}

// deniedAction names the IAM action a denied call needs: taken from AWS's
// message ("... is not authorized to perform: s3:PutReplicationConfiguration
// on resource ...") when present, else from the operation.
func deniedAction(ce *cloud.Error) string {
	const marker = "to perform: "
	if i := strings.Index(ce.Message, marker); i >= 0 {
		rest := ce.Message[i+len(marker):]
		if j := strings.IndexAny(rest, " ,;"); j > 0 {
			rest = rest[:j]
		}
		if strings.Contains(rest, ":") {
			return rest
		}
	}
	return IAMAction(ce.Service, ce.Op)
}

// s3Actions maps S3 API operations to the IAM actions that authorise them
// where the names differ.
var s3Actions = map[string]string{
	"ListBuckets":                     "s3:ListAllMyBuckets",
	"HeadBucket":                      "s3:ListBucket",
	"GetBucketEncryption":             "s3:GetEncryptionConfiguration",
	"PutBucketEncryption":             "s3:PutEncryptionConfiguration",
	"DeleteBucketEncryption":          "s3:PutEncryptionConfiguration",
	"GetPublicAccessBlock":            "s3:GetBucketPublicAccessBlock",
	"PutPublicAccessBlock":            "s3:PutBucketPublicAccessBlock",
	"DeletePublicAccessBlock":         "s3:PutBucketPublicAccessBlock",
	"DeleteBucketOwnershipControls":   "s3:PutBucketOwnershipControls",
	"GetBucketLifecycleConfiguration": "s3:GetLifecycleConfiguration",
	"PutBucketLifecycleConfiguration": "s3:PutLifecycleConfiguration",
	"DeleteBucketLifecycle":           "s3:PutLifecycleConfiguration",
	"DeleteBucketTagging":             "s3:PutBucketTagging",
	"GetBucketReplication":            "s3:GetReplicationConfiguration",
	"PutBucketReplication":            "s3:PutReplicationConfiguration (and iam:PassRole on the replication role)",
	"DeleteBucketReplication":         "s3:PutReplicationConfiguration",
	"ListObjectVersions":              "s3:ListBucketVersions",
	"DeleteObjects":                   "s3:DeleteObjectVersion",
	"ListMultipartUploads":            "s3:ListBucketMultipartUploads",
	"CreateMultipartUpload":           "s3:PutObject",
	"UploadPart":                      "s3:PutObject",
	"CompleteMultipartUpload":         "s3:PutObject",
	"HeadObject":                      "s3:GetObject",
}

// IAMAction names the IAM action that authorises an API operation of a
// service (s3, kms, iam, sts, ec2), e.g. IAMAction("s3", "PutBucketLifecycleConfiguration")
// is "s3:PutLifecycleConfiguration".
func IAMAction(service, op string) string {
	if service == "s3" {
		if a, ok := s3Actions[op]; ok {
			return a
		}
	}
	return service + ":" + op
}
