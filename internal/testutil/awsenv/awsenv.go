// Package awsenv keeps a developer's AWS configuration away from tests.
package awsenv

import (
	"os"
	"path/filepath"
	"testing"
)

// Isolate replaces the AWS_* environment for the duration of t: empty
// config and credentials files in a temporary directory (returned, so a
// test can write a profile into them), no credentials, profile, region,
// endpoint, role or container credentials, no instance metadata service,
// no CA bundle, and one attempt per call. Nothing a developer has
// configured can leak into the test. It uses t.Setenv, so t must not be
// parallel.
func Isolate(t testing.TB) (configFile, credentialsFile string) {
	t.Helper()
	dir := t.TempDir()
	configFile = filepath.Join(dir, "config")
	credentialsFile = filepath.Join(dir, "credentials")
	for _, f := range []string{configFile, credentialsFile} {
		if err := os.WriteFile(f, nil, 0o600); err != nil {
			t.Fatalf("create empty AWS file %s: %v", f, err)
		}
	}
	for k, v := range map[string]string{
		"AWS_CONFIG_FILE":                        configFile,
		"AWS_SHARED_CREDENTIALS_FILE":            credentialsFile,
		"AWS_ACCESS_KEY_ID":                      "",
		"AWS_SECRET_ACCESS_KEY":                  "",
		"AWS_SESSION_TOKEN":                      "",
		"AWS_SECURITY_TOKEN":                     "",
		"AWS_PROFILE":                            "",
		"AWS_DEFAULT_PROFILE":                    "",
		"AWS_REGION":                             "",
		"AWS_DEFAULT_REGION":                     "",
		"AWS_ENDPOINT_URL":                       "",
		"AWS_ENDPOINT_URL_S3":                    "",
		"AWS_ENDPOINT_URL_IAM":                   "",
		"AWS_ENDPOINT_URL_KMS":                   "",
		"AWS_ENDPOINT_URL_STS":                   "",
		"AWS_ENDPOINT_URL_EC2":                   "",
		"AWS_ROLE_ARN":                           "",
		"AWS_WEB_IDENTITY_TOKEN_FILE":            "",
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI":     "",
		"AWS_EC2_METADATA_DISABLED":              "true",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT":      "",
		"AWS_MAX_ATTEMPTS":                       "1",
		"AWS_RETRY_MODE":                         "",
		"AWS_CA_BUNDLE":                          "",
	} {
		t.Setenv(k, v)
	}
	return configFile, credentialsFile
}
