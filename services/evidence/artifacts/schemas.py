from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class ArtifactKind(StrEnum):
    sign_in_sheet = "sign_in_sheet"
    agenda = "agenda"
    slides = "slides"
    handout = "handout"
    lesson_plan = "lesson_plan"
    student_work_sample = "student_work_sample"
    photo = "photo"
    video_link = "video_link"
    observation_notes = "observation_notes"
    reflection = "reflection"


class ArtifactPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    session_id: str
    event_id: str
    kind: ArtifactKind
    title: str
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    created_at: datetime
    uploaded_by: str
