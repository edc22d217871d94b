// Package awsapi is the only package that imports aws-sdk-go-v2. It
// implements internal/cloud over the SDK.
package awsapi

import (
	"context"
	"errors"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Config selects credentials and endpoints.
type Config struct {
	Profile     string // --profile / AWS_PROFILE
	Region      string // --region; else the profile's region
	EndpointURL string // --endpoint-url / AWS_ENDPOINT_URL; forces path-style S3
}

// Account is an AWS account reached through the SDK.
type Account struct{}

// Load resolves credentials and region like the AWS CLI does.
func Load(ctx context.Context, cfg Config) (*Account, error) {
	return nil, errors.New("awsapi: not implemented yet")
}

// Region is the region the configuration resolved to ("" when none).
func (a *Account) Region() string { return "" }

var _ cloud.Account = (*Account)(nil)

func (a *Account) STS() cloud.STS       { return nil }
func (a *Account) IAM() cloud.IAM       { return nil }
func (a *Account) S3(string) cloud.S3   { return nil }
func (a *Account) KMS(string) cloud.KMS { return nil }
func (a *Account) EC2(string) cloud.EC2 { return nil }
