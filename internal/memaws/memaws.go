// Package memaws is an in-memory AWS account implementing internal/cloud,
// with the semantics hanavault depends on. It powers tests and --sandbox.
package memaws

import (
	"errors"

	"github.com/hanavault/hanavault/internal/cloud"
)

// Options configure an in-memory account.
type Options struct{}

// Account is an in-memory AWS account.
type Account struct{}

// New returns a fresh, seeded in-memory account.
func New(opts Options) *Account { return &Account{} }

// Open loads the sandbox account persisted in dir (creating and seeding it
// when absent); every mutating call is saved back to dir.
func Open(dir string, opts Options) (*Account, error) {
	return nil, errors.New("memaws: not implemented yet")
}

var _ cloud.Account = (*Account)(nil)

func (a *Account) STS() cloud.STS       { return nil }
func (a *Account) IAM() cloud.IAM       { return nil }
func (a *Account) S3(string) cloud.S3   { return nil }
func (a *Account) KMS(string) cloud.KMS { return nil }
func (a *Account) EC2(string) cloud.EC2 { return nil }
