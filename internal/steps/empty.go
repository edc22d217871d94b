package steps

import (
	"context"
	"fmt"
	"strings"

	"github.com/hanavault/hanavault/internal/cloud"
)

// deleteBatch is the most identifiers DeleteObjects accepts.
const deleteBatch = 1000

// maxEmptyPasses bounds how often a bucket is emptied again because new
// objects (late access logs, pending replicas) arrived after a pass.
const maxEmptyPasses = 5

// emptyAndDeleteBucket removes every object version, delete marker and
// incomplete multipart upload, page by page (nothing is held in memory
// beyond one page), then deletes the bucket. Objects that arrive after a
// pass (late access-log deliveries) are removed by another pass.
func (r *run) emptyAndDeleteBucket(st *step, region, bucket string) error {
	s3 := r.acct.S3(region)
	var deleted int64
	for pass := 1; ; pass++ {
		if err := r.abortUploads(st, s3, bucket); err != nil {
			return err
		}
		if err := r.deleteAllVersions(st, s3, bucket, "", &deleted); err != nil {
			return err
		}
		err := r.mutate(st, mutation{op: "s3:DeleteBucket", resource: bucket}, func(ctx context.Context) (string, error) {
			return r.bucketARN(bucket), s3.DeleteBucket(ctx, bucket)
		})
		switch {
		case err == nil, cloud.IsCode(err, cloud.CodeNoSuchBucket):
			return nil
		case cloud.IsCode(err, cloud.CodeBucketNotEmpty) && pass < maxEmptyPasses:
			ev := st.event(EventRetrying)
			ev.Attempt, ev.Reason = pass+1, "new objects arrived while emptying (late access logs or replicas)"
			r.emit(ev)
			continue
		default:
			return err
		}
	}
}

// abortUploads aborts every incomplete multipart upload in the bucket.
func (r *run) abortUploads(st *step, s3 cloud.S3, bucket string) error {
	in := cloud.ListMultipartUploadsInput{Bucket: bucket}
	for {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListMultipartUploadsOutput, error) {
			return s3.ListMultipartUploads(ctx, in)
		})
		if err != nil {
			return fmt.Errorf("list multipart uploads of %s: %w", bucket, err)
		}
		for _, u := range page.Uploads {
			err := r.mutate(st, mutation{op: "s3:AbortMultipartUpload", resource: bucket}, func(ctx context.Context) (string, error) {
				return "", s3.AbortMultipartUpload(ctx, bucket, u.Key, u.UploadID)
			})
			if err != nil && !cloud.IsCode(err, cloud.CodeNoSuchUpload) {
				return fmt.Errorf("abort upload of %s in %s: %w", u.Key, bucket, err)
			}
		}
		if !page.IsTruncated {
			return nil
		}
		in.KeyMarker, in.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
}

// deleteAllVersions streams ListObjectVersions pages (under prefix; ""
// for the whole bucket) into DeleteObjects batches and checks every
// per-key error; total counts what was deleted.
func (r *run) deleteAllVersions(st *step, s3 cloud.S3, bucket, prefix string, total *int64) error {
	in := cloud.ListObjectVersionsInput{Bucket: bucket, Prefix: prefix, MaxKeys: deleteBatch}
	for {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListObjectVersionsOutput, error) {
			return s3.ListObjectVersions(ctx, in)
		})
		if err != nil {
			return fmt.Errorf("list object versions of %s: %w", bucket, err)
		}
		batch := make([]cloud.ObjectIdentifier, 0, len(page.Versions)+len(page.DeleteMarkers))
		for _, v := range page.Versions {
			batch = append(batch, cloud.ObjectIdentifier{Key: v.Key, VersionID: v.VersionID})
		}
		for _, m := range page.DeleteMarkers {
			batch = append(batch, cloud.ObjectIdentifier{Key: m.Key, VersionID: m.VersionID})
		}
		for len(batch) > 0 {
			chunk := batch
			if len(chunk) > deleteBatch {
				chunk = batch[:deleteBatch]
			}
			batch = batch[len(chunk):]
			var out cloud.DeleteObjectsOutput
			err := r.mutate(st, mutation{op: "s3:DeleteObjects", resource: bucket}, func(ctx context.Context) (string, error) {
				var err error
				out, err = s3.DeleteObjects(ctx, bucket, chunk)
				return "", err
			})
			if err != nil {
				return fmt.Errorf("delete objects in %s: %w", bucket, err)
			}
			if len(out.Errors) > 0 {
				return deleteErrors(bucket, out.Errors)
			}
			*total += int64(len(chunk))
			ev := st.event(EventProgress)
			ev.Done, ev.Detail = *total, fmt.Sprintf("%d object versions and delete markers deleted", *total)
			r.emit(ev)
		}
		if !page.IsTruncated {
			return nil
		}
		in.KeyMarker, in.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
}

func deleteErrors(bucket string, errs []cloud.DeleteError) error {
	var parts []string
	for i, e := range errs {
		if i == 3 {
			parts = append(parts, fmt.Sprintf("and %d more", len(errs)-3))
			break
		}
		parts = append(parts, fmt.Sprintf("%s (version %s): %s %s", e.Key, e.VersionID, e.Code, e.Message))
	}
	return fmt.Errorf("%d objects in %s could not be deleted: %s", len(errs), bucket, strings.Join(parts, "; "))
}

// countContents counts versions, delete markers, bytes and incomplete
// uploads of a bucket, page by page.
func (r *run) countContents(st *step, region, bucket string) (BucketContents, error) {
	s3 := r.acct.S3(region)
	c := BucketContents{Bucket: bucket, Region: region, Exists: true}
	in := cloud.ListObjectVersionsInput{Bucket: bucket, MaxKeys: deleteBatch}
	for {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListObjectVersionsOutput, error) {
			return s3.ListObjectVersions(ctx, in)
		})
		if err != nil {
			return c, fmt.Errorf("list object versions of %s: %w", bucket, err)
		}
		for _, v := range page.Versions {
			c.Versions++
			c.Bytes += v.Size
		}
		c.DeleteMarkers += int64(len(page.DeleteMarkers))
		if !page.IsTruncated {
			break
		}
		in.KeyMarker, in.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	up := cloud.ListMultipartUploadsInput{Bucket: bucket}
	for {
		page, err := read(r, st, func(ctx context.Context) (cloud.ListMultipartUploadsOutput, error) {
			return s3.ListMultipartUploads(ctx, up)
		})
		if err != nil {
			return c, fmt.Errorf("list multipart uploads of %s: %w", bucket, err)
		}
		c.MultipartUploads += int64(len(page.Uploads))
		if !page.IsTruncated {
			break
		}
		up.KeyMarker, up.UploadIDMarker = page.NextKeyMarker, page.NextUploadIDMarker
	}
	return c, nil
}
