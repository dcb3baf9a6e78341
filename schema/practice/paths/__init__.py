"""Next exercises on a skill and learning paths toward goal skills."""
