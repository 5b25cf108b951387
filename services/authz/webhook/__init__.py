"""The Webhook authorizer: SubjectAccessReview POSTed to a remote service, answers cached."""
