package cloud

import (
	"fmt"
	"strings"
)

// ARN is a parsed Amazon Resource Name.
type ARN struct {
	Partition string
	Service   string
	Region    string
	Account   string
	Resource  string
}

// ParseARN splits an ARN into its parts.
func ParseARN(s string) (ARN, error) {
	parts := strings.SplitN(s, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || parts[1] == "" || parts[2] == "" {
		return ARN{}, fmt.Errorf("%q is not an ARN (want arn:partition:service:region:account:resource)", s)
	}
	return ARN{Partition: parts[1], Service: parts[2], Region: parts[3], Account: parts[4], Resource: parts[5]}, nil
}

func (a ARN) String() string {
	return "arn:" + a.Partition + ":" + a.Service + ":" + a.Region + ":" + a.Account + ":" + a.Resource
}

// Partition returns the partition of the caller (aws, aws-cn, aws-us-gov,
// aws-iso*, aws-eusc), taken from its ARN. It defaults to "aws" only when
// the ARN cannot be parsed.
func (c CallerIdentity) Partition() string {
	a, err := ParseARN(c.Arn)
	if err != nil {
		return "aws"
	}
	return a.Partition
}

// BucketARN is arn:<p>:s3:::<bucket> (S3 ARNs carry no region or account).
func BucketARN(partition, bucket string) string {
	return "arn:" + partition + ":s3:::" + bucket
}

// RoleARN is arn:<p>:iam::<account>:role<path><name>.
func RoleARN(partition, account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:" + partition + ":iam::" + account + ":role" + path + name
}

// RootARN is arn:<p>:iam::<account>:root, the account principal.
func RootARN(partition, account string) string {
	return "arn:" + partition + ":iam::" + account + ":root"
}

// KeyARN is arn:<p>:kms:<region>:<account>:key/<id>.
func KeyARN(partition, region, account, keyID string) string {
	return "arn:" + partition + ":kms:" + region + ":" + account + ":key/" + keyID
}

// AliasARN is arn:<p>:kms:<region>:<account>:<alias/name>.
func AliasARN(partition, region, account, alias string) string {
	return "arn:" + partition + ":kms:" + region + ":" + account + ":" + alias
}

// TagValue returns the value of key in tags and whether it was present.
func TagValue(tags []Tag, key string) (string, bool) {
	for _, t := range tags {
		if t.Key == key {
			return t.Value, true
		}
	}
	return "", false
}
