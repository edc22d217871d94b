package discover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Explain turns a discovery error into a Hint. Fix commands name the
// profile in $AWS_PROFILE (none: the default profile); use ExplainProfile
// when the profile comes from elsewhere, such as a --profile flag.
func Explain(err error) Hint { return ExplainProfile(err, os.Getenv("AWS_PROFILE")) }

// ExplainProfile is Explain for the named AWS CLI profile ("" = default).
func ExplainProfile(err error, profile string) Hint {
	if err == nil {
		return Hint{}
	}
	p := ""
	if profile != "" {
		p = " --profile " + profile
	}
	msg := strings.ToLower(err.Error())
	has := func(subs ...string) bool {
		for _, s := range subs {
			if strings.Contains(msg, strings.ToLower(s)) {
				return true
			}
		}
		return false
	}
	var ce *cloud.Error
	isCloud := errors.As(err, &ce)

	switch {
	case errors.Is(err, context.Canceled):
		return Hint{Problem: "Discovery was cancelled before AWS answered."}
	case has("sso session has expired", "cached sso token is expired", "refresh cached sso token failed", "invalidgrantexception") ||
		(has("sso token", "sso session", "ssooidc") && has("expired", "invalid", "refresh")):
		return Hint{
			Problem: "Your IAM Identity Center (SSO) session has expired, or you have not logged in yet.",
			Fix:     fmt.Sprintf("Run `aws sso login%s`, then retry.", p),
		}
	case cloud.IsCode(err, cloud.CodeExpiredToken, cloud.CodeExpiredTokenException) || has("token has expired", "token is expired", "security token included in the request is expired"):
		return Hint{
			Problem: "Your AWS session credentials have expired.",
			Fix: fmt.Sprintf("Renew them: `aws sso login%s` for IAM Identity Center, or fetch new temporary credentials "+
				"(`aws sts get-session-token%s` or your credential helper), then retry.", p, p),
		}
	case cloud.IsCode(err, cloud.CodeInvalidClientTokenID, cloud.CodeUnrecognizedClient, cloud.CodeSignatureDoesNotMatch):
		return Hint{
			Problem: "AWS does not accept these credentials (" + cloud.ErrorCode(err) + "): the access key is unknown, deleted, " +
				"or belongs to another partition (China, GovCloud), or the secret key is wrong.",
			Fix: fmt.Sprintf("Run `aws configure%s` to enter a valid access key, or unset stale AWS_ACCESS_KEY_ID, "+
				"AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN variables; check `aws sts get-caller-identity%s`.", p, p),
		}
	case has("failed to get shared config profile"):
		return Hint{
			Problem: "The AWS profile does not exist in ~/.aws/config or ~/.aws/credentials: " + err.Error(),
			Fix:     fmt.Sprintf("Create it with `aws configure sso%s` or `aws configure%s`, or pick another profile.", p, p),
		}
	// The SDK reports a missing credential source (often after an IMDS
	// timeout off EC2) before any network trouble, so this comes first.
	case !isCloud && has("failed to retrieve credentials", "static credentials are empty", "no ec2 imds role found",
		"no valid credential sources", "nocredentialproviders", "failed to refresh cached credentials", "could not find credentials"):
		return Hint{
			Problem: "No AWS credentials were found.",
			Fix: fmt.Sprintf("Set up a profile with `aws configure sso%s` and `aws sso login%s`, or with access keys via "+
				"`aws configure%s`; select it with --profile or AWS_PROFILE.", p, p, p),
		}
	case errors.Is(err, context.DeadlineExceeded) || has("i/o timeout", "no such host", "connection refused", "dial tcp"):
		return Hint{
			Problem: "AWS could not be reached in time: " + err.Error(),
			Fix:     "Check network access to AWS (proxy settings in HTTPS_PROXY, firewall, VPN), then retry.",
		}
	case cloud.IsThrottling(err):
		return Hint{
			Problem: "AWS is throttling requests to this account (" + cloud.ErrorCode(err) + ").",
			Fix:     "Wait a minute and retry; other tools calling the same API in this account share the rate limit.",
		}
	case cloud.IsCode(err, cloud.CodeAccessDenied, cloud.CodeAccessDeniedException, cloud.CodeUnauthorizedOperation) && isCloud:
		return explainDenied(ce)
	}
	return Hint{Problem: err.Error()}
}

// explainDenied explains a denied discovery call; discovery is optional,
// so the fix always says how to go on without it.
func explainDenied(e *cloud.Error) Hint {
	action := e.Service + ":" + e.Op
	switch action {
	case "iam:ListRoles", "iam:ListInstanceProfiles", "iam:GetRole":
		return Hint{
			Problem: "You are not allowed to list IAM roles (" + action + " was denied).",
			Fix:     "You can still type the role name. To get the list, ask for iam:ListRoles and iam:ListInstanceProfiles.",
		}
	case "iam:ListAttachedRolePolicies":
		return Hint{
			Problem: "You are not allowed to read which policies roles have (" + action + " was denied), so administrator roles are guessed by name only.",
			Fix:     "You can still type the role name. For a better list, ask for iam:ListAttachedRolePolicies.",
		}
	case "ec2:DescribeRegions":
		return Hint{
			Problem: "You are not allowed to list regions (" + action + " was denied).",
			Fix:     "You can still type region names such as eu-central-1. To get the list, ask for ec2:DescribeRegions.",
		}
	}
	return Hint{
		Problem: action + " was denied: " + e.Message,
		Fix:     "Ask your AWS administrator to allow " + action + ", or use a profile whose role has it.",
	}
}
