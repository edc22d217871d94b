package policy

import "slices"

// BackintObjectActions returns the object actions the bucket policy grants
// the EC2 backup role (what the Backint agent and recall do with backups).
func BackintObjectActions() []string { return slices.Clone(backintObjectActions) }

// BackintBucketActions returns the bucket actions the bucket policy grants
// the EC2 backup role.
func BackintBucketActions() []string { return slices.Clone(backintBucketActions) }
