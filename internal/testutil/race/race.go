// Package race has a cloud.Account wrapper for tests that interleave
// another actor's calls with the engine's, as two landscapes applied at
// once do.
package race

import (
	"context"
	"sync"

	"github.com/hanavault/hanavault/internal/cloud"
)

// BucketName runs Other once, right after a HeadBucket of Bucket found no
// such bucket: the name was free when the engine looked, and someone else
// takes it before the engine's CreateBucket.
type BucketName struct {
	cloud.Account
	Bucket string
	Other  func()
	once   sync.Once
}

type s3 struct {
	cloud.S3
	a *BucketName
}

// S3 returns the wrapped account's S3 client for region, watched.
func (a *BucketName) S3(region string) cloud.S3 { return s3{a.Account.S3(region), a} }

func (s s3) HeadBucket(ctx context.Context, b string) (cloud.HeadBucketOutput, error) {
	out, err := s.S3.HeadBucket(ctx, b)
	if b == s.a.Bucket && cloud.IsCode(err, cloud.CodeNotFound, cloud.CodeNoSuchBucket) {
		s.a.once.Do(s.a.Other)
	}
	return out, err
}

// RoleName runs Other once, right after a GetRole of Role found no such
// role: someone else creates the role before the engine's CreateRole.
type RoleName struct {
	cloud.Account
	Role  string
	Other func()
	once  sync.Once
}

type iam struct {
	cloud.IAM
	a *RoleName
}

// IAM returns the wrapped account's IAM client, watched.
func (a *RoleName) IAM() cloud.IAM { return iam{a.Account.IAM(), a} }

func (c iam) GetRole(ctx context.Context, name string) (cloud.Role, error) {
	out, err := c.IAM.GetRole(ctx, name)
	if name == c.a.Role && cloud.IsCode(err, cloud.CodeNoSuchEntity) {
		c.a.once.Do(c.a.Other)
	}
	return out, err
}
