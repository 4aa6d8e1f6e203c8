FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends libmagic1 poppler-utils qpdf \
      tesseract-ocr tesseract-ocr-eng antiword catdoc fonts-dejavu-core \
      postgresql-client && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . /app
RUN pip install --no-cache-dir .
ENV SECOR_INSTANCE_DIR=/var/lib/secor
EXPOSE 5000
CMD ["secor", "serve", "--host", "0.0.0.0", "--port", "5000"]
