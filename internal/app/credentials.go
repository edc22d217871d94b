package app

import (
	"errors"

	"github.com/hanavault/hanavault/internal/awsapi"
)

// NoCredentials reports whether err comes from finding no usable AWS
// credentials at all, as opposed to credentials AWS rejected or a profile
// that does not exist. It is the case where the wizard falls back to the
// sandbox, so a subcommand that fails with it can point there.
func NoCredentials(err error) bool {
	var ce *awsapi.CredentialsError
	return errors.As(err, &ce) && ce.Profile == ""
}

// mayFallBack reports whether Open may end in the sandbox when it finds no
// credentials: the wizard allows it, and neither --sandbox nor an explicit
// --profile or --endpoint-url was given (those are requests for AWS: a
// missing credential is then an error with a hint, never the sandbox).
func (o Options) mayFallBack() bool {
	return o.AllowSandboxFallback && !o.Sandbox && o.Profile == "" && o.EndpointURL == ""
}

// credentialEnv are the environment variables that name credentials (or
// the profile to take them from) for the AWS SDK for Go v2 (config's
// env_config.go; "Environment variables" in the AWS SDKs and Tools
// Reference Guide). Any of them set is an explicit choice of AWS.
var credentialEnv = []string{
	"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN",
	"AWS_PROFILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
}

// MaySandboxWhileLooking reports whether the wizard may open the sandbox
// (SandboxWhileLooking) while the credential lookup of o has not answered:
// only where the lookup may itself end in the sandbox (see mayFallBack),
// and when no credential is named in the environment (getenv), where
// waiting for the account named is the right thing.
func (o Options) MaySandboxWhileLooking(getenv func(string) string) bool {
	if !o.mayFallBack() {
		return false
	}
	for _, k := range credentialEnv {
		if getenv(k) != "" {
			return false
		}
	}
	return true
}
