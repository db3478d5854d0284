# The AWS client (src/aws_*: no PostgreSQL header), listed once for the
# extension (Makefile), the unit tests (test/unit) and the fuzzers (test/fuzz).
# Set AWS_CLIENT_DIR to the path of src/ as seen from the including Makefile.
AWS_CLIENT_NAMES = aws_error aws_error_doc aws_buf aws_sigv4 aws_http aws_request \
                   aws_dynamodb aws_creds aws_sts aws_metadata aws_endpoint
AWS_CLIENT_SRCS = $(addprefix $(AWS_CLIENT_DIR)/,$(addsuffix .c,$(AWS_CLIENT_NAMES)))
AWS_CLIENT_LIBS = -lcurl -lcrypto -ljson-c
