from jobs.tests.test_worker import mail_dir  # noqa: F401 - shared by the RQ test
